package org.imaginglakehouse.extract.verify;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
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

  /** Files given to one dcmdump process by {@link #dcmdumpProblems}. */
  static final int DCMDUMP_BATCH = 64;

  /** Null when dcmdump reads {@code file} without error, else a description without values. */
  public String dcmdumpProblem(Path file) throws IOException {
    return problem(run(dcmdump, "-q", file.toString()));
  }

  /**
   * {@link #dcmdumpProblem} of each file (null: read without error), with one dcmdump process per
   * {@value #DCMDUMP_BATCH} files: a process costs more than reading one file. A batch with any
   * problem is run again file by file, so that each problem is the file's own.
   */
  public Map<Path, String> dcmdumpProblems(List<Path> files) throws IOException {
    Map<Path, String> out = new LinkedHashMap<>();
    for (int from = 0; from < files.size(); from += DCMDUMP_BATCH) {
      List<Path> batch = files.subList(from, Math.min(files.size(), from + DCMDUMP_BATCH));
      List<String> command = new ArrayList<>(List.of(dcmdump, "-q"));
      batch.forEach(f -> command.add(f.toString()));
      boolean clean = batch.size() > 1 && problem(run(command.toArray(String[]::new))) == null;
      for (Path f : batch) {
        out.put(f, clean ? null : dcmdumpProblem(f));
      }
    }
    return out;
  }

  private static String problem(Result r) {
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
