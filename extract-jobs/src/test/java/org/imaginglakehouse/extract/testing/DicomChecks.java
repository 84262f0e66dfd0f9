package org.imaginglakehouse.extract.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.DicomException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.imaginglakehouse.ingest.dicom.DicomHeaderParser;
import org.imaginglakehouse.ingest.dicom.ParseOutcome;
import org.imaginglakehouse.ingest.dicom.ParsedHeader;

/**
 * Test support for written DICOM files: dcmtk's {@code dcmdump} as an independent parser, ingest's
 * own header parser (checksum, PixelData location), PixelMed read-back and attribute comparison.
 */
public final class DicomChecks {
  private DicomChecks() {}

  /** Ingest's parse of {@code file}, which must be an instance. */
  public static ParsedHeader ingest(Path file, DicomHeaderParser.ChecksumMode mode)
      throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      ParseOutcome outcome =
          new DicomHeaderParser(mode).parse(in, Files.size(file), file.getFileName().toString());
      assertThat(outcome).as("ingest's parse of " + file).isInstanceOf(ParseOutcome.Instance.class);
      return ((ParseOutcome.Instance) outcome).header();
    }
  }

  /**
   * The bytes of the PixelData value (defined length), or from the value start to the end of the
   * sequence delimiter (encapsulated); null without PixelData.
   */
  public static byte[] pixelValue(Path file) throws IOException {
    ParsedHeader h = ingest(file, DicomHeaderParser.ChecksumMode.HEADER);
    if (h.pixelDataOffset() == null) {
      return null;
    }
    byte[] all = Files.readAllBytes(file);
    int from = h.pixelDataOffset().intValue();
    if (h.pixelDataLength() >= 0) {
      return Arrays.copyOfRange(all, from, from + h.pixelDataLength().intValue());
    }
    int at = from;
    while (true) {
      int group = (all[at] & 0xFF) | (all[at + 1] & 0xFF) << 8;
      int element = (all[at + 2] & 0xFF) | (all[at + 3] & 0xFF) << 8;
      long length =
          (all[at + 4] & 0xFFL)
              | (all[at + 5] & 0xFFL) << 8
              | (all[at + 6] & 0xFFL) << 16
              | (all[at + 7] & 0xFFL) << 24;
      at += 8;
      if (group == 0xFFFE && element == 0xE0DD) {
        return Arrays.copyOfRange(all, from, at);
      }
      at += (int) length;
    }
  }

  /** Every file read by PixelMed completely (pixels included). */
  public static AttributeList read(Path file) throws IOException, DicomException {
    AttributeList list = new AttributeList();
    list.read(file.toFile());
    return list;
  }

  /**
   * Attributes (recursively, by their PixelMed text form, values included) that differ between the
   * two lists, by tag; {@code ignored} tags are skipped at the top level.
   */
  public static Map<String, String> differences(
      AttributeList expected, AttributeList actual, List<AttributeTag> ignored) {
    Map<String, String> out = new LinkedHashMap<>();
    List<AttributeTag> tags = new ArrayList<>(expected.keySet());
    for (AttributeTag tag : actual.keySet()) {
      if (!expected.containsKey(tag)) {
        tags.add(tag);
      }
    }
    for (AttributeTag tag : tags) {
      if (ignored.contains(tag)) {
        continue;
      }
      String a = text(expected.get(tag));
      String b = text(actual.get(tag));
      if (!a.equals(b)) {
        out.put(tag.toString(), "expected <" + a + "> but was <" + b + ">");
      }
    }
    return out;
  }

  private static String text(Attribute a) {
    if (a == null) {
      return "(absent)";
    }
    try {
      String vr = a.getVRAsString();
      if (Arrays.asList("OB", "OW", "UN", "OF", "OD", "OL").contains(vr)) {
        return vr + " " + Arrays.hashCode(a.getByteValues(true)) + " len " + a.getVL();
      }
    } catch (DicomException e) {
      return "undecodable " + e.getClass().getSimpleName();
    }
    return a.toString();
  }

  /** Runs dcmdump on the files; returns its stderr and exit status (0 = every file parsed). */
  public static DcmDumpResult dcmdump(List<Path> files) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("dcmdump", "-q", "-dc"));
    for (Path f : files) {
      command.add(f.toString());
    }
    Path err = Files.createTempFile("dcmdump", ".err");
    try {
      Process p =
          new ProcessBuilder(command)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .redirectError(err.toFile())
              .start();
      if (!p.waitFor(120, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException("dcmdump did not finish in 120 s");
      }
      return new DcmDumpResult(p.exitValue(), Files.readString(err, StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(err);
    }
  }

  /** What dcmdump said. */
  public record DcmDumpResult(int exitCode, String stderr) {}
}
