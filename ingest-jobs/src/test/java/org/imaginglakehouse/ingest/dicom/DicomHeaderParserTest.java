package org.imaginglakehouse.ingest.dicom;

import static org.assertj.core.api.Assertions.assertThat;

import com.pixelmed.dicom.TagFromName;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.imaginglakehouse.ingest.testing.DcmDump;
import org.imaginglakehouse.ingest.testing.DicomFixture;
import org.imaginglakehouse.ingest.testing.RawDicom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DicomHeaderParserTest {
  @TempDir Path dir;

  private final DicomHeaderParser parser =
      new DicomHeaderParser(DicomHeaderParser.ChecksumMode.HEADER);

  private ParseOutcome parse(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      return parser.parse(in, Files.size(file), file.getFileName().toString());
    }
  }

  private ParsedHeader instance(Path file) throws IOException {
    ParseOutcome outcome = parse(file);
    assertThat(outcome).as(file + ": " + outcome).isInstanceOf(ParseOutcome.Instance.class);
    return ((ParseOutcome.Instance) outcome).header();
  }

  private ErrorClass rejection(Path file) throws IOException {
    ParseOutcome outcome = parse(file);
    assertThat(outcome).as(file + ": " + outcome).isInstanceOf(ParseOutcome.Rejected.class);
    ErrorClass cls = ((ParseOutcome.Rejected) outcome).errorClass();
    assertThat(cls).as(file + ": " + outcome).isNotEqualTo(ErrorClass.UNREADABLE);
    return cls;
  }

  @Test
  void aNonDicomFileIsRejectedWithoutReadingItsBytesAsAValueLength() throws IOException {
    // Text whose first eight bytes, read as an implicit VR element, declare a 2 GiB value: PixelMed
    // allocated (and zero-filled) that much before failing, ~1 s per such file.
    byte[] note = new byte[64];
    byte[] start = {0x7B, 0x22, 0x61, 0x22, (byte) 0xF0, (byte) 0xFF, (byte) 0xFF, 0x7F};
    System.arraycopy(start, 0, note, 0, start.length);
    java.util.Arrays.fill(note, start.length, note.length, (byte) 'x');
    Path file = Files.write(dir.resolve("note.dcm"), note);
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
    long thread = Thread.currentThread().getId();
    long before = threads.getThreadAllocatedBytes(thread);
    assertThat(rejection(file)).isEqualTo(ErrorClass.NOT_DICOM);
    assertThat(threads.getThreadAllocatedBytes(thread) - before).isLessThan(16L << 20);
  }

  @Test
  void aDeclaredLengthPastTheEndIsRefusedAsTruncatedWithoutAllocatingIt() throws IOException {
    // An implicit VR file whose private element (no VR in any dictionary: bulk data to PixelMed)
    // declares 192 MiB: PixelMed allocates a bulk value's declared length before reading it.
    Path good =
        DicomFixture.ct("1.2.3.99", "1.2.3", "1.2.3.1")
            .privateLo(0x0029, "ACME PRIVATE", "secret-ish")
            .implicitVr()
            .write(dir.resolve("good.dcm"));
    byte[] bytes = Files.readAllBytes(good);
    // The element's tag, (0029,1001) little endian, found as Latin-1 text (one char per byte).
    int at = new String(bytes, StandardCharsets.ISO_8859_1).indexOf("\u0029\u0000\u0001\u0010");
    assertThat(at).isPositive();
    byte[] length = {0x00, 0x00, 0x00, 0x0C};
    System.arraycopy(length, 0, bytes, at + 4, 4);
    Path bad = Files.write(dir.resolve("bad.dcm"), bytes);
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
    long thread = Thread.currentThread().getId();
    long before = threads.getThreadAllocatedBytes(thread);
    ParseOutcome outcome = parse(bad);
    assertThat(threads.getThreadAllocatedBytes(thread) - before).isLessThan(16L << 20);
    assertThat(outcome).isInstanceOf(ParseOutcome.Rejected.class);
    ParseOutcome.Rejected rejected = (ParseOutcome.Rejected) outcome;
    assertThat(rejected.errorClass()).isEqualTo(ErrorClass.TRUNCATED);
    assertThat(rejected.message())
        .isEqualTo(
            "element (0029,1001) declares a value of 201326592 bytes at byte "
                + (at + 8)
                + ": past the end of the file ("
                + bytes.length
                + " bytes)")
        .doesNotContain("secret");
    // The reference reader comes to the same class, the long way round: allocating the length.
    DicomHeaderParser pixelMed =
        new DicomHeaderParser(DicomHeaderParser.ChecksumMode.HEADER, false);
    try (InputStream in = Files.newInputStream(bad)) {
      before = threads.getThreadAllocatedBytes(thread);
      ParseOutcome reference = pixelMed.parse(in, bytes.length, "bad.dcm");
      assertThat(threads.getThreadAllocatedBytes(thread) - before).isGreaterThan(192L << 20);
      assertThat(((ParseOutcome.Rejected) reference).errorClass())
          .as(reference.toString())
          .isEqualTo(ErrorClass.TRUNCATED);
    }
  }

  @Test
  void typedColumnsMatchDcmdumpAndPixelOffsetPointsAtThePixels() throws IOException {
    DicomFixture fixture =
        DicomFixture.ct("1.2.3.100", "1.2.3", "1.2.3.1").set(TagFromName.StudyDescription, "Chest");
    Path file = fixture.write(dir.resolve("a.dcm"));
    ParsedHeader h = instance(file);
    Map<String, String> dump = DcmDump.values(file);
    assertThat(h.sopInstanceUid()).isEqualTo(dump.get("00080018")).isEqualTo("1.2.3.100");
    assertThat(h.string("PatientName")).isEqualTo(dump.get("00100010"));
    assertThat(h.string("StudyDate")).isEqualTo(dump.get("00080020"));
    assertThat(h.string("Modality")).isEqualTo("CT");
    assertThat(h.string("StudyDescription")).isEqualTo(dump.get("00081030"));
    assertThat(h.string("TransferSyntaxUID")).isEqualTo(dump.get("00020010"));
    assertThat(h.imageType()).containsExactly("ORIGINAL", "PRIMARY", "AXIAL");
    assertThat(h.integer("InstanceNumber")).isEqualTo(7);
    assertThat(h.integer("Rows")).isEqualTo(4);
    assertThat(h.integer("BitsStored")).isEqualTo(12);
    assertThat(h.pixelDataVr()).isEqualTo("OW");
    assertThat(h.pixelDataLength()).isEqualTo(32);
    // The bytes at the recorded offset are the pixel values written, little endian.
    byte[] all = Files.readAllBytes(file);
    short[] pixels = fixture.pixels();
    int off = h.pixelDataOffset().intValue();
    assertThat(off + 32).isEqualTo(all.length);
    for (int i = 0; i < pixels.length; i++) {
      int v = (all[off + 2 * i] & 0xFF) | (all[off + 2 * i + 1] & 0xFF) << 8;
      assertThat((short) v).isEqualTo(pixels[i]);
    }
    assertThat(h.headerLength()).isEqualTo(off);
    assertThat(h.checksum()).startsWith("sha256h:");
    // PixelData is listed neither as an entry nor with bytes.
    assertThat(h.header()).noneMatch(e -> e.tag().equals("7FE00010"));
  }

  @Test
  void completeHeaderFlattensSequencesAndNamesPrivateCreators() throws IOException {
    Path file =
        DicomFixture.ct("1.2.3.101", "1.2.3", "1.2.3.1")
            .privateLo(0x0029, "ACME PRIVATE", "secret-ish")
            .procedureCodes("X1", "X2")
            .write(dir.resolve("b.dcm"));
    List<HeaderEntry> header = instance(file).header();
    HeaderEntry sq = entry(header, "00081032");
    assertThat(sq.vr()).isEqualTo("SQ");
    assertThat(sq.keyword()).isEqualTo("ProcedureCodeSequence");
    assertThat(sq.values()).containsExactly("2");
    assertThat(entry(header, "00081032[0].00080100").values()).containsExactly("X1");
    assertThat(entry(header, "00081032[1].00080100").values()).containsExactly("X2");
    assertThat(entry(header, "00081032[1].00080102").keyword()).isEqualTo("CodingSchemeDesignator");
    HeaderEntry priv = entry(header, "00291001");
    assertThat(priv.privateCreator()).isEqualTo("ACME PRIVATE");
    assertThat(priv.keyword()).isNull();
    assertThat(priv.values()).containsExactly("secret-ish");
    assertThat(entry(header, "00280010").values()).containsExactly("4");
    HeaderEntry version = entry(header, "00020001");
    assertThat(version.values()).isNull();
    assertThat(version.binary()).containsExactly(0, 1);
  }

  @Test
  void implicitVrFilesParseToo() throws IOException {
    Path file =
        DicomFixture.ct("1.2.3.102", "1.2.3", "1.2.3.1").implicitVr().write(dir.resolve("i.dcm"));
    ParsedHeader h = instance(file);
    assertThat(h.string("TransferSyntaxUID")).isEqualTo("1.2.840.10008.1.2");
    assertThat(h.pixelDataLength()).isEqualTo(32);
    assertThat(h.pixelDataOffset() + 32).isEqualTo(Files.size(file));
  }

  @Test
  void decodesLatin1AndUtf8NamesLikeDcmdump() throws IOException {
    Path latin1 =
        DicomFixture.ct("1.2.3.110", "1.2.3", "1.2.3.1")
            .charset("ISO_IR 100")
            .set(TagFromName.PatientName, "Müller^Jürgen")
            .set(TagFromName.InstitutionName, "Hôpital Saint-Éloi")
            .write(dir.resolve("latin1.dcm"));
    Path utf8 =
        DicomFixture.ct("1.2.3.111", "1.2.3", "1.2.3.1")
            .charset("ISO_IR 192")
            .set(TagFromName.PatientName, "Ζωή^Łukasz=山田^太郎")
            .write(dir.resolve("utf8.dcm"));
    // Really Latin-1 on disk: "ü" is one byte 0xFC.
    assertThat(new String(Files.readAllBytes(latin1), StandardCharsets.ISO_8859_1))
        .contains("Müller");
    ParsedHeader a = instance(latin1);
    assertThat(a.string("PatientName"))
        .isEqualTo("Müller^Jürgen")
        .isEqualTo(DcmDump.values(latin1).get("00100010"));
    assertThat(a.string("InstitutionName")).isEqualTo("Hôpital Saint-Éloi");
    assertThat(a.string("SpecificCharacterSet")).isEqualTo("ISO_IR 100");
    ParsedHeader b = instance(utf8);
    assertThat(b.string("PatientName"))
        .isEqualTo("Ζωή^Łukasz=山田^太郎")
        .isEqualTo(DcmDump.values(utf8).get("00100010"));
  }

  @Test
  void decodesIso2022JapaneseWithEscapeSequences() throws IOException {
    // PS3.5 H.3.1 example: Yamada^Tarou=山田^太郎=やまだ^たろう in ISO 2022 IR 87.
    String esc = "\u001b";
    String raw =
        "Yamada^Tarou="
            + esc
            + "$B;3ED"
            + esc
            + "(B^"
            + esc
            + "$BB@O:"
            + esc
            + "(B="
            + esc
            + "$B$d$^$@"
            + esc
            + "(B^"
            + esc
            + "$B$?$m$&"
            + esc
            + "(B";
    Path file =
        new RawDicom("1.2.840.10008.1.2.1", "1.2.840.10008.5.1.4.1.1.7", "1.2.3.120")
            .text(0x0008, 0x0005, "CS", "\\ISO 2022 IR 87")
            .uid(0x0008, 0x0016, "1.2.840.10008.5.1.4.1.1.7")
            .uid(0x0008, 0x0018, "1.2.3.120")
            .text(0x0008, 0x0060, "CS", "OT")
            .text(0x0010, 0x0010, "PN", raw)
            .write(dir.resolve("jp.dcm"));
    ParsedHeader h = instance(file);
    assertThat(h.string("PatientName")).isEqualTo("Yamada^Tarou=山田^太郎=やまだ^たろう");
    // Independent decoding of the same bytes by the JDK's ISO-2022-JP decoder (dcmtk 3.6.7 here
    // cannot convert ISO 2022 IR 87).
    String jdk =
        new String(
            raw.getBytes(StandardCharsets.ISO_8859_1),
            java.nio.charset.Charset.forName("ISO-2022-JP"));
    assertThat(h.string("PatientName")).isEqualTo(jdk);
    assertThat(h.string("SpecificCharacterSet")).isEqualTo("\\ISO 2022 IR 87");
    assertThat(h.pixelDataOffset()).isNull();
  }

  @Test
  void deflatedFilesParseWithoutAPixelDataLocation() throws IOException {
    // 256x256 pixels of a repeating pattern: the file is far smaller than the pixel data it holds,
    // which is what an offset read from the inflated stream wrongly reported as truncated.
    Path file =
        DicomFixture.ct("1.2.3.150", "1.2.3", "1.2.3.1")
            .size(256, 256)
            .deflated()
            .write(dir.resolve("deflated.dcm"));
    assertThat(Files.size(file)).isLessThan(256 * 256 * 2);
    ParsedHeader h = instance(file);
    assertThat(h.string("TransferSyntaxUID")).isEqualTo("1.2.840.10008.1.2.1.99");
    assertThat(h.string("PatientName")).isEqualTo("Doe^John");
    assertThat(h.integer("Rows")).isEqualTo(256);
    assertThat(h.pixelDataOffset()).isNull();
    assertThat(h.pixelDataLength()).isNull();
    assertThat(h.pixelDataVr()).isNull();
    Path noPixels =
        DicomFixture.ct("1.2.3.151", "1.2.3", "1.2.3.1")
            .noPixels()
            .deflated()
            .write(dir.resolve("deflated-sr.dcm"));
    assertThat(instance(noPixels).pixelDataOffset()).isNull();
  }

  @Test
  void filesWithoutPreambleParse() throws IOException {
    for (DicomFixture f :
        List.of(
            DicomFixture.ct("1.2.3.160", "1.2.3", "1.2.3.1"),
            DicomFixture.ct("1.2.3.161", "1.2.3", "1.2.3.1").implicitVr(),
            DicomFixture.ct("1.2.3.162", "1.2.3", "1.2.3.1").deflated())) {
      Path full = f.write(dir.resolve("full.dcm"));
      byte[] all = Files.readAllBytes(full);
      Path bare =
          Files.write(
              dir.resolve("bare-" + f.hashCode() + ".dcm"),
              java.util.Arrays.copyOfRange(all, 132, all.length));
      ParsedHeader h = instance(bare);
      assertThat(h.string("PatientName")).isEqualTo("Doe^John");
      assertThat(h.integer("Rows")).isEqualTo(4);
    }
  }

  @Test
  void truncatedPixelDataIsDetected() throws IOException {
    Path good = DicomFixture.ct("1.2.3.130", "1.2.3", "1.2.3.1").write(dir.resolve("good.dcm"));
    long size = Files.size(good);
    assertThat(rejection(DicomFixture.truncate(good, dir.resolve("cut-pixels.dcm"), size - 5)))
        .isEqualTo(ErrorClass.TRUNCATED);
    // Cut inside the PixelData element header.
    assertThat(rejection(DicomFixture.truncate(good, dir.resolve("cut-pdhdr.dcm"), size - 32 - 6)))
        .isEqualTo(ErrorClass.TRUNCATED);
    // Cut in the middle of the header.
    assertThat(rejection(DicomFixture.truncate(good, dir.resolve("cut-header.dcm"), size / 2)))
        .isEqualTo(ErrorClass.TRUNCATED);
  }

  @Test
  void encapsulatedPixelDataIsWalkedToTheDelimiter() throws IOException {
    RawDicom complete = encapsulated("1.2.3.140", true);
    Path ok = complete.write(dir.resolve("enc.dcm"));
    ParsedHeader h = instance(ok);
    assertThat(h.pixelDataLength()).isEqualTo(-1);
    assertThat(h.pixelDataVr()).isEqualTo("OB");
    byte[] all = Files.readAllBytes(ok);
    // Offset points at the first item tag (FFFE,E000) of the fragment sequence.
    int off = h.pixelDataOffset().intValue();
    assertThat(new byte[] {all[off], all[off + 1], all[off + 2], all[off + 3]})
        .containsExactly(0xFE, 0xFF, 0x00, 0xE0);
    Path noDelimiter = encapsulated("1.2.3.141", false).write(dir.resolve("enc-nodelim.dcm"));
    assertThat(rejection(noDelimiter)).isEqualTo(ErrorClass.TRUNCATED);
    Path cut = DicomFixture.truncate(ok, dir.resolve("enc-cut.dcm"), all.length - 20);
    assertThat(rejection(cut)).isEqualTo(ErrorClass.TRUNCATED);
  }

  private static RawDicom encapsulated(String sop, boolean delimiter) {
    return new RawDicom("1.2.840.10008.1.2.4.50", "1.2.840.10008.5.1.4.1.1.7", sop)
        .uid(0x0008, 0x0016, "1.2.840.10008.5.1.4.1.1.7")
        .uid(0x0008, 0x0018, sop)
        .encapsulatedPixels(List.of(new byte[100], new byte[64]), delimiter);
  }

  @Test
  void junkIsNotDicom() throws IOException {
    Path text = Files.writeString(dir.resolve("notes.dcm"), "Patient notes\n".repeat(20));
    Path empty = Files.write(dir.resolve("empty.dcm"), new byte[0]);
    byte[] random = new byte[3000];
    new java.util.Random(42).nextBytes(random);
    random[0] = 0x55; // not a group 0002/0008 start
    Path noise = Files.write(dir.resolve("noise.bin"), random);
    Path png =
        Files.write(
            dir.resolve("image.png"),
            new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10, 0, 0, 0, 13});
    assertThat(rejection(text)).isEqualTo(ErrorClass.NOT_DICOM);
    assertThat(rejection(empty)).isEqualTo(ErrorClass.NOT_DICOM);
    assertThat(rejection(noise)).isEqualTo(ErrorClass.NOT_DICOM);
    assertThat(rejection(png)).isEqualTo(ErrorClass.NOT_DICOM);
  }

  @Test
  void missingSopInstanceUidIsRejected() throws IOException {
    Path file =
        new RawDicom("1.2.840.10008.1.2.1", "1.2.840.10008.5.1.4.1.1.7", "1.2.3.150")
            .uid(0x0008, 0x0016, "1.2.840.10008.5.1.4.1.1.7")
            .text(0x0010, 0x0020, "LO", "PID-9")
            .write(dir.resolve("nosop.dcm"));
    assertThat(rejection(file)).isEqualTo(ErrorClass.NO_SOP_INSTANCE_UID);
  }

  @Test
  void dicomdirIsSkipped() throws IOException {
    Path byName = DicomFixture.ct("1.2.3.160", "1.2.3", "1.2.3.1").write(dir.resolve("x/DICOMDIR"));
    Path byClass =
        DicomFixture.ct("1.2.3.161", "1.2.3", "1.2.3.1")
            .set(TagFromName.SOPClassUID, DicomHeaderParser.DICOMDIR_SOP_CLASS)
            .noPixels()
            .write(dir.resolve("media.dir"));
    assertThat(parse(byName)).isInstanceOf(ParseOutcome.Skipped.class);
    assertThat(parse(byClass)).isInstanceOf(ParseOutcome.Skipped.class);
  }

  @Test
  void checksumChangesWithHeaderAndFullModeCoversPixels() throws IOException {
    Path a = DicomFixture.ct("1.2.3.170", "1.2.3", "1.2.3.1").write(dir.resolve("c1.dcm"));
    Path b =
        DicomFixture.ct("1.2.3.170", "1.2.3", "1.2.3.1")
            .set(TagFromName.PatientName, "Doe^Jane")
            .write(dir.resolve("c2.dcm"));
    assertThat(instance(a).checksum()).isNotEqualTo(instance(b).checksum());
    assertThat(instance(a).checksum()).isEqualTo(instance(a).checksum());
    byte[] bytes = Files.readAllBytes(a);
    bytes[bytes.length - 1] ^= 0x7F; // change one pixel byte
    Path c = Files.write(dir.resolve("c3.dcm"), bytes);
    assertThat(instance(c).checksum()).isEqualTo(instance(a).checksum());
    DicomHeaderParser full = new DicomHeaderParser(DicomHeaderParser.ChecksumMode.FULL);
    String fullA = fullChecksum(full, a);
    assertThat(fullA).isNotEqualTo(fullChecksum(full, c));
    assertThat(fullA)
        .isEqualTo(
            "sha256:"
                + java.util.HexFormat.of()
                    .formatHex(DicomHeaderParser.sha256().digest(Files.readAllBytes(a))));
  }

  private static String fullChecksum(DicomHeaderParser p, Path f) throws IOException {
    try (InputStream in = Files.newInputStream(f)) {
      return ((ParseOutcome.Instance) p.parse(in, Files.size(f), "x")).header().checksum();
    }
  }

  @Test
  void stderrIsSilencedOnlyInsideTheParser() throws Exception {
    QuietPixelMed.install();
    assertThat(java.util.logging.Logger.getLogger("com.pixelmed").getLevel())
        .isEqualTo(java.util.logging.Level.OFF);
    assertThat(
            org.apache.logging.log4j.LogManager.getLogger("com.pixelmed.dicom.AttributeList")
                .isErrorEnabled())
        .isFalse();
    PrintStream saved = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    try {
      // The installed filter delegates to the stream that was System.err at install time, so
      // check the filter itself: output inside quietly() is dropped, outside it passes through.
      PrintStream filter = System.err;
      QuietPixelMed.quietly(
          () -> {
            filter.print("noise");
            return null;
          });
      assertThat(captured.size()).isZero();
    } finally {
      System.setErr(saved);
    }
    ParseOutcome junk =
        parser.parse(
            new ByteArrayInputStream("DICM? no".repeat(100).getBytes(StandardCharsets.US_ASCII)),
            800,
            "j");
    assertThat(junk).isInstanceOf(ParseOutcome.Rejected.class);
  }

  private static HeaderEntry entry(List<HeaderEntry> header, String path) {
    return header.stream()
        .filter(e -> e.path().equals(path))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no header entry " + path + " in " + header));
  }
}
