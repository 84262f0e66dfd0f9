package org.imaginglakehouse.extract.verify;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.DicomDictionary;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.DicomInputStream;
import com.pixelmed.dicom.SequenceAttribute;
import com.pixelmed.dicom.SequenceItem;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.dicom.TransferSyntax;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Verifies one file of an extraction (plain Java, no Spark): a residual scan of every byte for the
 * extraction's identifying values, the text detectors over every text attribute (PixelMed walk,
 * sequences and private attributes included), and the structural checks (PixelMed parses it,
 * optionally dcmdump too, referenced instance UIDs are mapped and point into the extraction,
 * PatientID equals the patient directory, optionally no new dciodvfy error against the source).
 * Thread-safe: one per executor JVM and scan, shared by its tasks; the scanners it builds are
 * cached per character set (and a file's own values' per values and character set).
 */
public final class FileVerifier {
  /** Text VRs the detectors read; UIDs, dates, times and numbers are never read as text. */
  static final Set<String> TEXT_VRS =
      Set.of("LO", "SH", "LT", "ST", "UT", "UC", "PN", "CS", "AE", "UN");

  /** What one file gave: its SHA-256 over the very bytes scanned, and what was found. */
  public record FileReport(
      String path, String sha256, long size, String birthDate, List<Failure> failures) {}

  private final List<IdentifyingValues.Value> values;
  private final Set<String> extractionSops;
  private final DicomTools tools;
  private final Map<Charset, ResidualScanner> scanners = new ConcurrentHashMap<>();

  /**
   * @param values the identifying values of every source instance of the extraction
   * @param extractionSops the project SOPInstanceUIDs of every file of the extraction
   */
  public FileVerifier(
      List<IdentifyingValues.Value> values, Set<String> extractionSops, DicomTools tools) {
    this.values = values;
    this.extractionSops = extractionSops;
    this.tools = tools;
  }

  /**
   * Scanners of one file's own values (its source's birth date spellings), by values and character
   * set. Files come grouped by patient, so most files reuse the previous one's: building a scanner
   * per file cost a tenth of verify's executor time (JFR, 6,187 CT files).
   */
  private final Map<OwnKey, ResidualScanner> ownScanners =
      new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<OwnKey, ResidualScanner> eldest) {
          return size() > OWN_SCANNERS_CACHED;
        }
      };

  private static final int OWN_SCANNERS_CACHED = 64;

  private record OwnKey(List<IdentifyingValues.Value> values, Charset charset) {}

  private ResidualScanner scanner(Charset extra) {
    return scanners.computeIfAbsent(extra, c -> new ResidualScanner(values, List.of(c)));
  }

  private synchronized ResidualScanner ownScanner(
      List<IdentifyingValues.Value> ownValues, Charset charset) {
    return ownScanners.computeIfAbsent(
        new OwnKey(List.copyOf(ownValues), charset),
        k -> new ResidualScanner(k.values(), List.of(k.charset())));
  }

  /**
   * A DICOM file. {@code local} is the file on a local disk for the external tools (null: they get
   * a temporary copy); {@code iodSource} the source file to compare dciodvfy's errors with (null:
   * not sampled).
   */
  public FileReport verifyDicom(
      String path, byte[] bytes, Path local, boolean dcmdump, Path iodSource) throws IOException {
    return verifyDicom(path, bytes, List.of(), local, dcmdump, iodSource);
  }

  /**
   * As above, with {@code ownValues}: values searched in this file only (its source's birth date:
   * searched in every file of a large extraction, one patient's real birth date would match another
   * patient's shifted one by chance).
   */
  public FileReport verifyDicom(
      String path,
      byte[] bytes,
      List<IdentifyingValues.Value> ownValues,
      Path local,
      boolean dcmdump,
      Path iodSource)
      throws IOException {
    List<Failure> out = new ArrayList<>();
    String sha = Failure.sha256(bytes);
    AttributeList list = new AttributeList();
    long[] pixel = {-1};
    try {
      // One parse of the file; the strategy notes where the top-level PixelData starts and stops
      // there when its native value ends the file: those bytes are scanned, never parsed.
      list.read(
          new DicomInputStream(new ByteArrayInputStream(bytes)),
          (l, tag, offset) -> {
            if (l == list && pixel[0] < 0 && tag.equals(TagFromName.PixelData)) {
              pixel[0] = offset;
              return nativePixelDataEndsFile(bytes, offset, implicitVr(l));
            }
            return false;
          });
    } catch (IOException | DicomException | RuntimeException e) {
      out.add(
          fail(path, Failure.Check.PARSE, null, -1, Failure.ERROR, e.getClass().getSimpleName()));
      // Unparseable: still scan every byte, with the default character sets.
      residual(path, bytes, -1, StandardCharsets.ISO_8859_1, out);
      return new FileReport(path, sha, bytes.length, null, out);
    }
    Charset charset = charset(list);
    // The extraction's values and the file's own in one pass over its bytes.
    hits(
        path,
        scanner(charset),
        bytes,
        pixel[0],
        bytes.length,
        ownValues.isEmpty() ? null : ownScanner(ownValues, charset),
        out);
    walk(path, bytes, list, charset, out);
    String patientId =
        Attribute.getSingleStringValueOrEmptyString(list, TagFromName.PatientID).strip();
    String directory = path.contains("/") ? path.substring(0, path.indexOf('/')) : "";
    if (!patientId.equals(directory)) {
      out.add(
          fail(
              path,
              Failure.Check.PATIENT_ID,
              Failure.sha256(patientId),
              -1,
              Failure.ERROR,
              "PatientID differs from the patient directory"));
    }
    if (dcmdump || iodSource != null) {
      Path file = local;
      Path temp = null;
      if (file == null) {
        temp = Files.createTempFile("verify-", ".dcm");
        Files.write(temp, bytes);
        file = temp;
      }
      try {
        if (dcmdump) {
          String problem = tools.dcmdumpProblem(file);
          if (problem != null) {
            out.add(fail(path, Failure.Check.DCMDUMP, null, -1, Failure.ERROR, problem));
          }
        }
        if (iodSource != null) {
          Set<String> added = new java.util.TreeSet<>(tools.iodErrors(file));
          added.removeAll(tools.iodErrors(iodSource));
          for (String line : added) {
            out.add(
                fail(
                    path,
                    Failure.Check.IOD_NEW_ERROR,
                    Failure.sha256(line),
                    -1,
                    Failure.ERROR,
                    line));
          }
        }
      } finally {
        if (temp != null) {
          Files.deleteIfExists(temp);
        }
      }
    }
    String birth = Attribute.getSingleStringValueOrNull(list, TagFromName.PatientBirthDate);
    return new FileReport(path, sha, bytes.length, birth, out);
  }

  /**
   * A file beside the images: every byte scanned for the values; CSV fields and Markdown text also
   * through the detectors (CSV columns named {@code *UID}, {@code *sha256}, {@code *_id} and {@code
   * path} excepted: UIDs and hashes are digit runs by construction). HTML (the report) is scanned
   * as text with its {@code data:} pictures decoded and scanned as bytes ({@link DataUris}).
   * Parquet and the checksum lists get the byte scan only.
   */
  public FileReport verifyOther(String path, byte[] bytes) {
    List<Failure> out = new ArrayList<>();
    String name = path.toLowerCase(Locale.ROOT);
    if (name.endsWith(".html")) {
      // The text with its data: URIs blanked (same offsets), then every decoded picture as bytes.
      DataUris parts = DataUris.split(bytes);
      residual(path, parts.text(), -1, StandardCharsets.UTF_8, out);
      for (byte[] payload : parts.payloads()) {
        residual(path, payload, -1, StandardCharsets.UTF_8, out);
      }
      detect(
          path,
          parts.text(),
          new String(parts.text(), StandardCharsets.UTF_8),
          "text",
          StandardCharsets.UTF_8,
          out);
      return new FileReport(path, Failure.sha256(bytes), bytes.length, null, out);
    }
    if (name.endsWith(".arrow")) {
      // A volume file: the voxel values are scanned as pixel data (long values only), every
      // other byte (schema, UIDs, descriptions, dates) as text.
      long[] voxels = ArrowVoxels.range(bytes);
      if (voxels == null) {
        out.add(
            fail(
                path,
                Failure.Check.UNREADABLE,
                null,
                -1,
                Failure.ERROR,
                "not an Arrow IPC volume file of one record batch"));
      }
      hits(
          path,
          scanner(StandardCharsets.UTF_8),
          bytes,
          voxels == null ? -1 : voxels[0],
          voxels == null ? bytes.length : voxels[1],
          null,
          out);
      return new FileReport(path, Failure.sha256(bytes), bytes.length, null, out);
    }
    residual(path, bytes, -1, StandardCharsets.UTF_8, out);
    if (name.endsWith(".csv")) {
      csv(path, bytes, out);
    } else if (name.endsWith(".md")) {
      detect(
          path,
          bytes,
          new String(bytes, StandardCharsets.UTF_8),
          "text",
          StandardCharsets.UTF_8,
          out);
    }
    return new FileReport(path, Failure.sha256(bytes), bytes.length, null, out);
  }

  private void residual(
      String path, byte[] bytes, long pixelStart, Charset charset, List<Failure> out) {
    hits(path, scanner(charset), bytes, pixelStart, bytes.length, null, out);
  }

  private static void hits(
      String path,
      ResidualScanner scanner,
      byte[] bytes,
      long pixelStart,
      long pixelEnd,
      ResidualScanner also,
      List<Failure> out) {
    for (ResidualScanner.Hit hit : scanner.scan(bytes, pixelStart, pixelEnd, also)) {
      out.add(
          fail(
              path,
              Failure.Check.RESIDUAL_VALUE,
              Failure.sha256(hit.value().text()),
              hit.offset(),
              Failure.ERROR,
              "value of " + hit.value().kind() + " (" + hit.encoding() + ")"));
    }
  }

  private void csv(String path, byte[] bytes, List<Failure> out) {
    String[] lines = new String(bytes, StandardCharsets.UTF_8).split("\r?\n");
    if (lines.length == 0) {
      return;
    }
    String[] header = lines[0].split(",", -1);
    for (int l = 1; l < lines.length; l++) {
      String[] fields = lines[l].split(",", -1);
      for (int f = 0; f < fields.length; f++) {
        String column = f < header.length ? header[f] : "";
        if (column.endsWith("UID")
            || column.endsWith("sha256")
            || column.endsWith("_id")
            || column.equals("path")) {
          continue;
        }
        detect(
            path,
            bytes,
            fields[f],
            "column " + column.replaceAll("[^A-Za-z0-9_]", ""),
            StandardCharsets.UTF_8,
            out);
      }
    }
  }

  private static boolean implicitVr(AttributeList list) {
    return TransferSyntax.ImplicitVRLittleEndian.equals(
        Attribute.getSingleStringValueOrEmptyString(list, TagFromName.TransferSyntaxUID));
  }

  /**
   * Whether the top-level PixelData element whose tag ends at {@code offset} (where PixelMed's
   * termination strategy sees it: after the tag, before the VR and length) holds a native
   * (defined-length, little-endian) value that ends exactly at the end of the file. Reading that
   * value into PixelMed's {@code short[]} was a tenth of verify's parse work and no check reads it:
   * the residual scan reads its bytes. Anything else (encapsulated fragments, an element after the
   * pixels, a length past the end: a truncated file) gets the full parse, which reports it.
   */
  static boolean nativePixelDataEndsFile(byte[] bytes, long offset, boolean implicitVr) {
    if (offset < 4 || offset + 8 > bytes.length) {
      return false;
    }
    int at = (int) offset - 4;
    if (u16(bytes, at) != 0x7FE0 || u16(bytes, at + 2) != 0x0010) {
      return false;
    }
    long length;
    int header;
    if (implicitVr) {
      length = u32(bytes, at + 4);
      header = 8;
    } else {
      boolean otherVr =
          bytes[at + 4] == 'O'
              && (bytes[at + 5] == 'W' || bytes[at + 5] == 'B')
              && bytes[at + 6] == 0
              && bytes[at + 7] == 0;
      if (!otherVr) {
        return false;
      }
      length = u32(bytes, at + 8);
      header = 12;
    }
    return length != 0xFFFFFFFFL && at + header + length == bytes.length;
  }

  private static int u16(byte[] b, int i) {
    return (b[i] & 0xFF) | (b[i + 1] & 0xFF) << 8;
  }

  private static long u32(byte[] b, int i) {
    return (u16(b, i) | (long) u16(b, i + 2) << 16);
  }

  private void walk(
      String path, byte[] bytes, AttributeList list, Charset charset, List<Failure> out) {
    for (Attribute a : list.values()) {
      AttributeTag tag = a.getTag();
      if (a instanceof SequenceAttribute seq) {
        for (int i = 0; i < seq.getNumberOfItems(); i++) {
          SequenceItem item = seq.getItem(i);
          if (item != null && item.getAttributeList() != null) {
            walk(path, bytes, item.getAttributeList(), charset, out);
          }
        }
        continue;
      }
      if (tag.equals(TagFromName.PixelData)) {
        continue;
      }
      String vr = new String(a.getVR(), StandardCharsets.US_ASCII);
      String keyword = DicomDictionary.StandardDictionary.getNameFromTag(tag);
      String where = (keyword == null ? "private" : keyword) + " " + tag;
      if ("UI".equals(vr)
          && keyword != null
          && keyword.startsWith("Referenced")
          && keyword.endsWith("SOPInstanceUID")) {
        references(path, bytes, a, where, out);
      } else if (TEXT_VRS.contains(vr)) {
        String[] texts;
        try {
          texts = "UN".equals(vr) ? printable(a.getByteValues()) : a.getStringValues();
        } catch (DicomException e) {
          continue;
        }
        for (String t : texts == null ? new String[0] : texts) {
          detect(path, bytes, t, where, charset, out);
        }
      }
    }
  }

  /** An unknown-VR value that reads as text is scanned as text; binary is left to the byte scan. */
  private static String[] printable(byte[] value) {
    if (value == null) {
      return new String[0];
    }
    for (byte b : value) {
      if ((b < 0x20 && b != '\r' && b != '\n' && b != '\t' && b != 0) || b == 0x7F) {
        return new String[0];
      }
    }
    return new String[] {new String(value, StandardCharsets.ISO_8859_1)};
  }

  private void references(String path, byte[] bytes, Attribute a, String where, List<Failure> out) {
    String[] uids;
    try {
      uids = a.getStringValues();
    } catch (DicomException e) {
      return;
    }
    for (String raw : uids == null ? new String[0] : uids) {
      String uid = raw.replace("\0", "").strip();
      if (uid.isEmpty() || uid.startsWith("1.2.840.10008.")) {
        continue;
      }
      long offset = indexOf(bytes, uid.getBytes(StandardCharsets.US_ASCII));
      if (!uid.startsWith("2.25.")) {
        out.add(
            fail(
                path,
                Failure.Check.UNMAPPED_REFERENCE,
                Failure.sha256(uid),
                offset,
                Failure.ERROR,
                where));
      } else if (!extractionSops.contains(uid)) {
        out.add(
            fail(
                path,
                Failure.Check.DANGLING_REFERENCE,
                Failure.sha256(uid),
                offset,
                Failure.WARNING,
                where));
      }
    }
  }

  private static void detect(
      String path, byte[] bytes, String text, String where, Charset charset, List<Failure> out) {
    for (TextDetectors.Finding f : TextDetectors.scan(text)) {
      long offset = indexOf(bytes, f.match().getBytes(charset));
      if (offset < 0) {
        offset = indexOf(bytes, f.match().getBytes(StandardCharsets.UTF_8));
      }
      out.add(
          fail(
              path,
              Failure.Check.DETECTOR + f.detector(),
              Failure.sha256(f.match()),
              offset,
              Failure.ERROR,
              where));
    }
  }

  private static Failure fail(
      String path, String check, String sha, long offset, String severity, String detail) {
    return new Failure(path, check, sha, offset, severity, detail);
  }

  /** The Java charset of a data set's SpecificCharacterSet (its first supported term). */
  static Charset charset(AttributeList list) {
    String[] terms;
    try {
      Attribute a = list.get(TagFromName.SpecificCharacterSet);
      terms = a == null ? null : a.getStringValues();
    } catch (DicomException e) {
      terms = null;
    }
    if (terms != null) {
      for (String term : terms) {
        Charset c = dicomCharset(term == null ? "" : term.strip());
        if (c != null) {
          return c;
        }
      }
    }
    return StandardCharsets.ISO_8859_1;
  }

  /** PS3.3 C.12.1.1.2 defined terms → Java charsets (ISO 2022 escapes: their G1 set). */
  static Charset dicomCharset(String term) {
    String t = term.replace("ISO 2022 ", "ISO_");
    String name =
        switch (t) {
          case "ISO_IR 100" -> "ISO-8859-1";
          case "ISO_IR 101" -> "ISO-8859-2";
          case "ISO_IR 109" -> "ISO-8859-3";
          case "ISO_IR 110" -> "ISO-8859-4";
          case "ISO_IR 144" -> "ISO-8859-5";
          case "ISO_IR 127" -> "ISO-8859-6";
          case "ISO_IR 126" -> "ISO-8859-7";
          case "ISO_IR 138" -> "ISO-8859-8";
          case "ISO_IR 148" -> "ISO-8859-9";
          case "ISO_IR 203" -> "ISO-8859-15";
          case "ISO_IR 166" -> "TIS-620";
          case "ISO_IR 13" -> "Shift_JIS";
          case "ISO_IR 192" -> "UTF-8";
          case "GB18030" -> "GB18030";
          case "GBK" -> "GBK";
          case "ISO_IR 149" -> "EUC-KR";
          case "ISO_IR 87" -> "ISO-2022-JP";
          default -> null;
        };
    try {
      return name == null ? null : Charset.forName(name);
    } catch (RuntimeException e) {
      return null;
    }
  }

  /** First offset of {@code pattern} in {@code bytes}, or -1. */
  static long indexOf(byte[] bytes, byte[] pattern) {
    return indexOf(bytes, pattern, 0);
  }

  /** The first index at or after {@code from} where {@code pattern} starts, or -1. */
  static int indexOf(byte[] bytes, byte[] pattern, int from) {
    if (pattern.length == 0) {
      return -1;
    }
    outer:
    for (int i = Math.max(0, from); i <= bytes.length - pattern.length; i++) {
      for (int j = 0; j < pattern.length; j++) {
        if (bytes[i + j] != pattern[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
