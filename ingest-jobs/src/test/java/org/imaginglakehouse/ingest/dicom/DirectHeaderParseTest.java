package org.imaginglakehouse.ingest.dicom;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.imaginglakehouse.core.dicom.DirectHeaderReader;
import org.imaginglakehouse.core.dicom.HeaderBytes;
import org.imaginglakehouse.synth.SynthOptions;
import org.imaginglakehouse.synth.SyntheticPacs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ingest's parser gives the same outcome whichever reader read the header ({@link
 * DirectHeaderReader} for plain files, PixelMed for the rest and as the reference): every file of a
 * synthetic PACS with junk (truncated, cut inside an element, not DICOM, empty, DICOMDIR, ...), in
 * both checksum modes, including the bytes read per file. A file cut inside a value is the one
 * difference: refused as truncated before PixelMed, with its own message.
 */
class DirectHeaderParseTest {
  @TempDir Path dir;

  @Test
  void everyFileParsesToTheSameOutcomeWithEitherReader() throws Exception {
    Path root = dir.resolve("pacs");
    SyntheticPacs.generate(
        root,
        SynthOptions.builder()
            .patients(5)
            .seed(5)
            .pixelSize(SynthOptions.PixelSize.TINY)
            .imagesScale(0.15)
            .junkRate(0.3)
            .parquet(false)
            .threads(1)
            .modalityMix(
                Map.of(
                    "CT", 2.0, "MR", 1.0, "US", 2.0, "SR", 1.0, "CR", 1.0, "MG", 1.0, "PT", 1.0,
                    "NM", 1.0))
            .build());
    List<Path> files;
    try (Stream<Path> walk = Files.walk(root)) {
      files = walk.filter(Files::isRegularFile).sorted().toList();
    }
    Map<String, Integer> kinds = new TreeMap<>();
    for (DicomHeaderParser.ChecksumMode mode : DicomHeaderParser.ChecksumMode.values()) {
      DicomHeaderParser direct = new DicomHeaderParser(mode, true);
      DicomHeaderParser pixelMed = new DicomHeaderParser(mode, false);
      for (Path file : files) {
        byte[] bytes = Files.readAllBytes(file);
        Counted a = new Counted(bytes);
        Counted b = new Counted(bytes);
        String name = file.getFileName().toString();
        ParseOutcome withDirect = direct.parse(a, bytes.length, name);
        ParseOutcome withPixelMed = pixelMed.parse(b, bytes.length, name);
        String where = mode + " " + root.relativize(file);
        if (withDirect instanceof ParseOutcome.Rejected r
            && r.message().contains("past the end of the file (")) {
          // A declared length past the end: refused before PixelMed (which would allocate it
          // first) with a message of its own; PixelMed comes to the same class.
          assertThat(withPixelMed).as(where).isInstanceOf(ParseOutcome.Rejected.class);
          assertThat(((ParseOutcome.Rejected) withPixelMed).errorClass())
              .as(where)
              .isEqualTo(r.errorClass())
              .isEqualTo(ErrorClass.TRUNCATED);
          kinds.merge("refused before PixelMed", 1, Integer::sum);
        } else {
          assertThat(describe(withDirect)).as(where).isEqualTo(describe(withPixelMed));
        }
        if (withDirect instanceof ParseOutcome.Instance) {
          // Not more of the file than PixelMed reads (headers are read in the same blocks).
          assertThat(a.read).as(where).isLessThanOrEqualTo(Math.max(b.read, 8192));
        }
        kinds.merge(withDirect.getClass().getSimpleName(), 1, Integer::sum);
        if (DirectHeaderReader.read(HeaderBytes.of(bytes)).read()) {
          kinds.merge("read directly", 1, Integer::sum);
        }
      }
    }
    assertThat(kinds).containsKeys("Instance", "Rejected", "Skipped", "refused before PixelMed");
    // Not a vacuous comparison: most instances took the direct path.
    assertThat(kinds.get("read directly") * 2)
        .as(kinds.toString())
        .isGreaterThan(kinds.get("Instance"));
  }

  private static String describe(ParseOutcome outcome) {
    if (outcome instanceof ParseOutcome.Instance i) {
      ParsedHeader h = i.header();
      List<Object> all = new ArrayList<>();
      for (String k : ParsedHeader.STRING_KEYWORDS) {
        all.add(k + "=" + h.string(k));
      }
      for (String k : ParsedHeader.INT_KEYWORDS) {
        all.add(k + "=" + h.integer(k));
      }
      all.addAll(
          List.of(
              String.valueOf(h.imageType()),
              String.valueOf(h.pixelDataOffset()),
              String.valueOf(h.pixelDataLength()),
              String.valueOf(h.pixelDataVr()),
              h.headerLength(),
              h.checksum()));
      for (HeaderEntry e : h.header()) {
        all.add(
            List.of(
                    e.path(),
                    e.tag(),
                    String.valueOf(e.keyword()),
                    e.vr(),
                    String.valueOf(e.privateCreator()),
                    String.valueOf(e.values()),
                    e.binary() == null ? "-" : HexFormat.of().formatHex(e.binary()))
                .toString());
      }
      return String.join("\n", all.stream().map(String::valueOf).toList());
    }
    return outcome.toString();
  }

  /** Counts the bytes the parser takes from the file. */
  private static final class Counted extends InputStream {
    private final InputStream in;
    long read;

    Counted(byte[] bytes) {
      this.in = new ByteArrayInputStream(bytes);
    }

    @Override
    public int read() throws IOException {
      int b = in.read();
      read += b < 0 ? 0 : 1;
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = in.read(b, off, len);
      read += Math.max(n, 0);
      return n;
    }
  }
}
