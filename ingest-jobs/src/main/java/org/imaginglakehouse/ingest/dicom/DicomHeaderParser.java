package org.imaginglakehouse.ingest.dicom;

import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.DicomInputStream;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.dicom.TransferSyntax;
import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Set;
import org.imaginglakehouse.core.dicom.DirectHeaderReader;
import org.imaginglakehouse.core.dicom.HeaderBytes;

/**
 * Reads a DICOM header with PixelMed up to (not into) the top-level PixelData value and validates
 * it. Plain Java, one instance per thread (it is cheap), no Spark.
 *
 * <p>Validation, in order: the file must start with a DICM preamble or a plausible data set (group
 * 0002 or 0008 first) and yield attributes ({@code not_dicom}); a DICOMDIR is skipped; the header
 * must parse to the end of the file or up to PixelData ({@code truncated} when it stops early,
 * {@code corrupt_header} when PixelMed throws); the PixelData value (defined length: offset +
 * length within the file; encapsulated: every fragment item and the sequence delimiter present)
 * must fit in the file ({@code truncated}); SOPInstanceUID must be present ({@code
 * no_sop_instance_uid}). I/O failures are {@code unreadable}.
 */
public final class DicomHeaderParser {
  /** How {@code file_checksum} is computed; see docs/ingest.md. */
  public enum ChecksumMode {
    /** SHA-256 of the header bytes (up to the PixelData value, at most 8 MiB) and the length. */
    HEADER,
    /** SHA-256 of the whole file (reads pixel data too: slower). */
    FULL
  }

  public static final String DICOMDIR_SOP_CLASS = "1.2.840.10008.1.3.10";
  static final int RECORD_LIMIT = 8 << 20;

  /** Bytes asked of the file per read. */
  static final int READ_BUFFER = 8192;

  private static final AttributeTag PIXEL_DATA = TagFromName.PixelData;
  private static final Set<String> LONG_LENGTH_VRS =
      Set.of("OB", "OW", "OF", "OD", "OL", "OV", "SQ", "UN", "UT", "UC", "UR", "SV", "UV");
  private static final long UNDEFINED_LENGTH = 0xFFFFFFFFL;

  private final ChecksumMode checksumMode;
  private final boolean directRead;
  private final HeaderFlattener flattener = new HeaderFlattener();

  /**
   * A parser that reads plain headers directly ({@link DirectHeaderReader}), others with PixelMed.
   */
  public DicomHeaderParser(ChecksumMode checksumMode) {
    this(checksumMode, true);
  }

  /**
   * @param directRead false to read every header with PixelMed's {@code AttributeList.read} (the
   *     reference the direct reader is tested against)
   */
  public DicomHeaderParser(ChecksumMode checksumMode, boolean directRead) {
    this.checksumMode = checksumMode;
    this.directRead = directRead;
    QuietPixelMed.install();
  }

  /**
   * Parses one file. Never throws for bad content: every problem is a {@link
   * ParseOutcome.Rejected}. The stream is read only as far as needed and not closed.
   *
   * @param fileLength the file's length from the listing (used to detect truncation)
   * @param fileName last path component, to recognise DICOMDIR by name
   */
  public ParseOutcome parse(InputStream raw, long fileLength, String fileName) {
    MessageDigest fullDigest = checksumMode == ChecksumMode.FULL ? sha256() : null;
    RecordingInputStream recording = new RecordingInputStream(raw, RECORD_LIMIT, fullDigest);
    // 8 KiB: a header is read in few calls, and a file is not read much past its header (with 16
    // KiB, a 39 KB CT file of 6 KB header gave up 16 KB, 10 KB of them pixel data).
    BufferedInputStream buffered = new BufferedInputStream(recording, READ_BUFFER);
    try {
      return QuietPixelMed.quietly(() -> parseQuietly(recording, buffered, fileLength, fileName));
    } catch (IOException e) {
      if (recording.sourceFailed()) {
        return new ParseOutcome.Rejected(ErrorClass.UNREADABLE, "cannot read: " + describe(e));
      }
      if (!startsLikeDicom(recording) || String.valueOf(e.getMessage()).contains("Not a DICOM")) {
        return new ParseOutcome.Rejected(
            ErrorClass.NOT_DICOM, "not a DICOM file: " + startDescription(recording));
      }
      if (e instanceof EOFException || recording.endReached()) {
        return new ParseOutcome.Rejected(
            ErrorClass.TRUNCATED,
            "file ends inside an element after "
                + recording.count()
                + " of "
                + fileLength
                + " bytes: "
                + describe(e));
      }
      return new ParseOutcome.Rejected(
          ErrorClass.CORRUPT_HEADER, "header cannot be parsed: " + describe(e));
    }
  }

  private ParseOutcome parseQuietly(
      RecordingInputStream recording, BufferedInputStream in, long fileLength, String fileName)
      throws IOException {
    if (isDicomdirName(fileName)) {
      return new ParseOutcome.Skipped("dicomdir", "DICOMDIR media directory (by file name)");
    }
    HeaderBytes start = recording.headerBytes(READ_BUFFER);
    start.ensure(132);
    if (!startsLikeDicom(recording)) {
      // The outcome PixelMed's attempt would end in, without it: reading text or random bytes as
      // DICOM, it takes some four bytes for a value length and allocates that much (up to 2 GiB,
      // zero-filled) before failing: ~1 s of CPU per such file, and a heap at risk.
      return new ParseOutcome.Rejected(
          ErrorClass.NOT_DICOM, "not a DICOM file: " + startDescription(recording));
    }
    DirectHeaderReader.Outcome direct = directRead ? DirectHeaderReader.read(start) : null;
    DirectHeaderReader.Overrun overrun = direct == null ? null : direct.overrun();
    if (overrun != null && fileLength >= 0 && overrun.end() > fileLength) {
      // PixelMed would allocate the declared length (up to 2 GiB, zero-filled) before finding
      // the file too short: the same outcome, decided without it.
      return new ParseOutcome.Rejected(
          ErrorClass.TRUNCATED,
          String.format(
              Locale.ROOT,
              "element (%04X,%04X) declares a value of %d bytes at byte %d: past the end of the"
                  + " file (%d bytes)",
              overrun.group(),
              overrun.element(),
              overrun.length(),
              overrun.valueStart(),
              fileLength));
    }
    long[] pixelTagEnd = {-1};
    long consumed;
    DicomInputStream din;
    if (direct != null && direct.read()) {
      // PixelMed's stream as it would stand after the header: after the PixelData tag (or at the
      // end of a file without one), the kept bytes from there, then the rest of the file.
      long tagEnd = direct.pixelTagStart() < 0 ? -1 : direct.pixelTagStart() + 4;
      int from = tagEnd < 0 ? recording.recorded() : (int) tagEnd;
      DicomInputStream after =
          new DicomInputStream(
              new SequenceInputStream(
                  new ByteArrayInputStream(recording.buffer(), from, recording.recorded() - from),
                  in),
              direct.transferSyntax().getUID(),
              false);
      return afterHeader(recording, in, fileLength, direct.list(), tagEnd, direct.end(), after);
    }
    // Left to PixelMed: it reads the file again from its start (the kept bytes, then the rest).
    in =
        new BufferedInputStream(
            new SequenceInputStream(
                new ByteArrayInputStream(recording.buffer(), 0, recording.recorded()), in),
            READ_BUFFER);
    AttributeList list = new AttributeList();
    try {
      din = openDicom(in);
      consumed =
          list.read(
              din,
              (l, tag, offset) -> {
                if (l == list && tag.equals(PIXEL_DATA)) {
                  pixelTagEnd[0] = offset;
                  return true;
                }
                return false;
              });
    } catch (DicomException | RuntimeException e) {
      if (list.isEmpty() || !startsLikeDicom(recording)) {
        return new ParseOutcome.Rejected(
            ErrorClass.NOT_DICOM, "not a DICOM file: " + startDescription(recording));
      }
      return new ParseOutcome.Rejected(
          ErrorClass.CORRUPT_HEADER, "header cannot be parsed: " + describe(e));
    }
    return afterHeader(recording, in, fileLength, list, pixelTagEnd[0], consumed, din);
  }

  /** Everything after the header was read (by either reader); {@code din} stands after it. */
  private ParseOutcome afterHeader(
      RecordingInputStream recording,
      InputStream in,
      long fileLength,
      AttributeList list,
      long pixelTagEnd,
      long consumed,
      DicomInputStream din)
      throws IOException {
    if (list.isEmpty() || !startsLikeDicom(recording)) {
      return new ParseOutcome.Rejected(
          ErrorClass.NOT_DICOM, "not a DICOM file: " + startDescription(recording));
    }
    String sopClass = HeaderFlattener.value(list, TagFromName.SOPClassUID);
    String mediaClass = HeaderFlattener.value(list, TagFromName.MediaStorageSOPClassUID);
    if (DICOMDIR_SOP_CLASS.equals(mediaClass) || DICOMDIR_SOP_CLASS.equals(sopClass)) {
      return new ParseOutcome.Skipped("dicomdir", "DICOMDIR media directory (by SOP class)");
    }
    TransferSyntax ts = din.getTransferSyntaxInUse();
    Long pixelOffset = null;
    Long pixelLength = null;
    String pixelVr = null;
    long headerLength;
    if (pixelTagEnd < 0) {
      // In a deflated file PixelMed counts inflated bytes: no comparison with the file length
      // (a cut-short zlib stream fails inside PixelMed and is classed truncated above).
      if (consumed < fileLength && (ts == null || !ts.isDeflated())) {
        return new ParseOutcome.Rejected(
            ErrorClass.TRUNCATED,
            String.format(
                Locale.ROOT,
                "header stops at byte %d of %d: an element runs past the end of the file or the"
                    + " rest is not DICOM",
                consumed,
                fileLength));
      }
      headerLength = consumed;
    } else if (ts != null && ts.isDeflated()) {
      // PixelMed reports the tag's position in the inflated stream, which is no place in the file:
      // record no location (pixel jobs decode deflated files through PixelMed) and leave the rest
      // of the stream unread, since its value header cannot be checked against the file length.
      headerLength = pixelTagEnd;
    } else {
      long position = pixelTagEnd;
      long length;
      if (ts != null && ts.isExplicitVR()) {
        byte[] vr = new byte[2];
        din.readInsistently(vr, 0, 2);
        pixelVr = new String(vr, StandardCharsets.US_ASCII);
        if (LONG_LENGTH_VRS.contains(pixelVr)) {
          din.readUnsigned16();
          length = din.readUnsigned32();
          position += 8;
        } else {
          length = din.readUnsigned16();
          position += 4;
        }
      } else {
        length = din.readUnsigned32();
        pixelVr = "OW";
        position += 4;
      }
      headerLength = position;
      pixelOffset = position;
      pixelLength = length == UNDEFINED_LENGTH ? -1L : length;
      if (length == UNDEFINED_LENGTH) {
        String problem = checkFragments(din);
        if (problem != null) {
          return new ParseOutcome.Rejected(ErrorClass.TRUNCATED, problem);
        }
      } else if (position + length > fileLength) {
        return new ParseOutcome.Rejected(
            ErrorClass.TRUNCATED,
            String.format(
                Locale.ROOT,
                "pixel data truncated: %d bytes declared at offset %d, file has %d (missing %d)",
                length,
                position,
                fileLength,
                position + length - fileLength));
      }
    }
    String sop = HeaderFlattener.value(list, TagFromName.SOPInstanceUID);
    if (sop == null || sop.isBlank()) {
      return new ParseOutcome.Rejected(
          ErrorClass.NO_SOP_INSTANCE_UID, "header has no SOPInstanceUID (0008,0018)");
    }
    String checksum;
    if (checksumMode == ChecksumMode.FULL) {
      byte[] scratch = new byte[65536];
      while (in.read(scratch) >= 0) {
        // drain: the recording stream digests everything
      }
      checksum = "sha256:" + HexFormat.of().formatHex(fullDigestOf(recording));
    } else {
      MessageDigest digest = sha256();
      int n = (int) Math.min(headerLength, recording.recorded());
      digest.update(recording.buffer(), 0, n);
      digest.update(longBytes(fileLength));
      checksum = "sha256h:" + HexFormat.of().formatHex(digest.digest());
    }
    try {
      return new ParseOutcome.Instance(
          flattener.build(list, ts, pixelOffset, pixelLength, pixelVr, headerLength, checksum));
    } catch (DicomException | RuntimeException e) {
      return new ParseOutcome.Rejected(
          ErrorClass.CORRUPT_HEADER, "attribute values cannot be decoded: " + describe(e));
    }
  }

  private static byte[] fullDigestOf(RecordingInputStream recording) {
    return recording.digest();
  }

  /** Walks the encapsulated fragments: null when complete, else what is wrong. */
  private static String checkFragments(DicomInputStream din) throws IOException {
    int items = 0;
    try {
      while (true) {
        int group = din.readUnsigned16();
        int element = din.readUnsigned16();
        long length = din.readUnsigned32();
        if (group == 0xFFFE && element == 0xE0DD) {
          return null;
        }
        if (group != 0xFFFE || element != 0xE000 || length == UNDEFINED_LENGTH) {
          return String.format(
              Locale.ROOT,
              "encapsulated pixel data corrupt: item %d has tag (%04X,%04X) length %d",
              items,
              group,
              element,
              length);
        }
        din.skipInsistently(length);
        items++;
      }
    } catch (EOFException e) {
      return "encapsulated pixel data truncated: file ends after "
          + items
          + " complete fragment item(s), before the sequence delimiter";
    }
  }

  /**
   * Opens the data set. A file without the 128-byte preamble but starting with the meta header
   * (group 0002) is opened as a meta header explicitly: PixelMed's own guess reads it as implicit
   * VR and fails with "Illegal fixed VL".
   */
  private static DicomInputStream openDicom(BufferedInputStream in) throws IOException {
    in.mark(140);
    byte[] start = in.readNBytes(132);
    in.reset();
    boolean preamble =
        start.length == 132
            && start[128] == 'D'
            && start[129] == 'I'
            && start[130] == 'C'
            && start[131] == 'M';
    boolean bareMetaHeader = !preamble && start.length >= 8 && start[0] == 0x02 && start[1] == 0x00;
    if (bareMetaHeader) {
      return new DicomInputStream(in, TransferSyntax.ExplicitVRLittleEndian, true);
    }
    return new DicomInputStream(in);
  }

  private static boolean isDicomdirName(String fileName) {
    return fileName != null && fileName.equalsIgnoreCase("DICOMDIR");
  }

  private static boolean startsLikeDicom(RecordingInputStream recording) {
    byte[] b = recording.buffer();
    int n = recording.recorded();
    if (n >= 132 && b[128] == 'D' && b[129] == 'I' && b[130] == 'C' && b[131] == 'M') {
      return true;
    }
    if (n < 8) {
      return false;
    }
    // No preamble (old or raw data sets): first element must be in group 0002 or 0008.
    int groupLe = (b[0] & 0xFF) | (b[1] & 0xFF) << 8;
    int groupBe = (b[1] & 0xFF) | (b[0] & 0xFF) << 8;
    return groupLe == 0x0002 || groupLe == 0x0008 || groupBe == 0x0008;
  }

  private static String startDescription(RecordingInputStream recording) {
    int n = Math.min(16, recording.recorded());
    if (n == 0) {
      return "empty file";
    }
    return "no DICM preamble and no DICOM data set start (first bytes "
        + HexFormat.of().formatHex(recording.buffer(), 0, n)
        + ")";
  }

  private static byte[] longBytes(long v) {
    byte[] out = new byte[8];
    for (int i = 0; i < 8; i++) {
      out[i] = (byte) (v >>> (56 - 8 * i));
    }
    return out;
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 not available", e);
    }
  }

  private static String describe(Throwable e) {
    String m = e.getMessage();
    return e.getClass().getSimpleName() + (m == null ? "" : ": " + m);
  }
}
