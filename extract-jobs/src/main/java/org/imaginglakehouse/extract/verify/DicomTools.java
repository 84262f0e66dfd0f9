package org.imaginglakehouse.extract.verify;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * The external checkers: dcmtk's {@code dcmdump} (does another parser read the file?) and
 * dicom3tools' {@code dciodvfy} (IOD conformance). Run with {@link ProcessBuilder}, each with a
 * time limit; their output is never logged or stored as it is (dciodvfy quotes values).
 */
public final class DicomTools {
  private static final Pattern QUOTED_VALUE =
      Pattern.compile("(?<!Element=)(?<!Module=)(?<!attribute )<[^>]*>");
  private static final long TIMEOUT_SECONDS = 120;

  private final String dcmdump;
  private final String dciodvfy;

  public DicomTools(String dcmdump, String dciodvfy) {
    this.dcmdump = dcmdump;
    this.dciodvfy = dciodvfy;
  }

  /** Null when dcmdump reads {@code file} without error, else a description without values. */
  public String dcmdumpProblem(Path file) throws IOException {
    Result r = run(dcmdump, "-q", file.toString());
    if (r.exit != 0) {
      return "dcmdump exit " + r.exit;
    }
    for (String line : r.output.split("\n")) {
      if (line.startsWith("E: ") || line.startsWith("F: ")) {
        return "dcmdump reported an error";
      }
    }
    return null;
  }

  /** The error lines of dciodvfy for {@code file}, normalised ({@link #normalise}). */
  public Set<String> iodErrors(Path file) throws IOException {
    Result r = run(dciodvfy, file.toString());
    Set<String> out = new LinkedHashSet<>();
    for (String line : r.output.split("\n")) {
      if (line.startsWith("Error")) {
        out.add(normalise(line));
      }
    }
    return out;
  }

  /**
   * An error line without any value: a quoted {@code <value>} becomes {@code <…>} (attribute and
   * module names are kept), anything after {@code " = "} is cut, so that the error of a source and
   * of its de-identified output compare equal and no value is kept.
   */
  public static String normalise(String line) {
    String s = line.strip();
    int eq = s.indexOf(" = ");
    if (eq >= 0) {
      s = s.substring(0, eq) + " = …";
    }
    return QUOTED_VALUE.matcher(s).replaceAll("<…>").replace("\"", "");
  }

  private record Result(int exit, String output) {}

  private static Result run(String... command) throws IOException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    try {
      byte[] out = p.getInputStream().readAllBytes();
      if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException(command[0] + " did not finish in " + TIMEOUT_SECONDS + " s");
      }
      return new Result(p.exitValue(), new String(out, StandardCharsets.ISO_8859_1));
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException(command[0] + " interrupted", e);
    }
  }
}
