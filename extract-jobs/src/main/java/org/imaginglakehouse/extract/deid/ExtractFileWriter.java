package org.imaginglakehouse.extract.deid;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.DicomInputStream;
import com.pixelmed.dicom.DicomOutputStream;
import com.pixelmed.dicom.OtherByteAttribute;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.dicom.TransferSyntax;
import com.pixelmed.dicom.UniqueIdentifierAttribute;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.SequenceInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Set;
import org.imaginglakehouse.core.dicom.DirectHeaderReader;
import org.imaginglakehouse.extract.deid.SourceRejectedException.Reason;

/**
 * Writes a de-identified copy of a DICOM file without decoding its pixels: the header is read up to
 * the top-level PixelData element (by {@link DirectHeaderReader} when the file is plain, otherwise
 * by PixelMed from the same bytes), rewritten by a {@link HeaderRewrite}, encoded again in the
 * source's transfer syntax, and the source's PixelData element (tag, VR, length and value; or every
 * fragment item up to the sequence delimiter) is copied byte for byte after it.
 *
 * <p>Output: 128 zero bytes, {@code DICM}, group 0002 in explicit VR little endian (group length
 * recomputed, TransferSyntaxUID = the source's, MediaStorageSOPClassUID/InstanceUID = the rewritten
 * SOPClassUID/SOPInstanceUID), the data set, the PixelData element. Whatever follows PixelData in
 * the source (trailing padding, digital signatures) is dropped: a signature over the original
 * content is invalid for the rewritten one. Accepted sources: implicit and explicit VR little
 * endian, native or encapsulated, with file meta information (with or without the preamble).
 * Refused with a {@link SourceRejectedException}: big endian, deflated and unknown transfer
 * syntaxes, raw data sets without meta information, corrupt and truncated files, and a source that
 * no longer matches the checksum ingest recorded ({@link SourceChangedException}).
 *
 * <p>Plain Java, stateless and thread-safe. Messages never contain attribute values.
 */
public final class ExtractFileWriter {
  private static final AttributeTag PIXEL_DATA = TagFromName.PixelData;
  private static final Set<AttributeTag> DROPPED_AT_END =
      Set.of(new AttributeTag(0xFFFA, 0xFFFA), new AttributeTag(0xFFFC, 0xFFFC));
  private static final int COPY_BUFFER = 65536;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final boolean directRead;

  /**
   * A writer that reads plain headers directly ({@link DirectHeaderReader}), others with PixelMed.
   */
  public ExtractFileWriter() {
    this(true);
  }

  /**
   * @param directRead false to read every header with PixelMed's {@code AttributeList.read} (the
   *     reference the direct reader is tested against)
   */
  public ExtractFileWriter(boolean directRead) {
    this.directRead = directRead;
  }

  /**
   * Writes {@code source} rewritten to {@code target} (not closed).
   *
   * @param sourceLength the source's length in bytes (part of ingest's header checksum)
   * @param expectedChecksum ingest's {@code file_checksum} to verify, or null to verify nothing
   * @throws SourceChangedException when the source does not match {@code expectedChecksum}; with a
   *     whole-file checksum this is found after writing, so discard {@code target} on any exception
   * @throws SourceRejectedException when the source cannot be written (see the class comment)
   * @throws IOException when reading the source or writing the target fails
   */
  public Written write(
      InputStream source,
      long sourceLength,
      String expectedChecksum,
      HeaderRewrite rewrite,
      OutputStream target)
      throws IOException, SourceRejectedException {
    IngestChecksum.Mode mode = IngestChecksum.modeOf(expectedChecksum);
    MessageDigest fullDigest = mode == IngestChecksum.Mode.FULL ? IngestChecksum.sha256() : null;
    SourceStream src = new SourceStream(source, fullDigest);
    Header header = readHeader(src, sourceLength);
    if (mode == IngestChecksum.Mode.HEADER) {
      String actual =
          IngestChecksum.header(
              src.recorded(), src.recordedCount(), header.headerLength, sourceLength);
      if (!actual.equals(expectedChecksum)) {
        throw new SourceChangedException(
            "header checksum differs from the one ingest recorded: the file changed since ingest");
      }
    }
    src.stopRecording();
    // Read from the source's header before the rewrite sees it (it may drop the 60xx groups).
    UnusedBits unused =
        header.pixelTagStart >= 0
            ? UnusedBits.of(header.list, header.transferSyntax.isEncapsulated())
            : null;
    AttributeList rewritten;
    try {
      rewritten = rewrite.apply(header.list);
    } catch (DicomException e) {
      throw new SourceRejectedException(
          Reason.REWRITE_FAILED, "header rewrite failed: " + e.getClass().getSimpleName(), e);
    }
    if (rewritten == null) {
      throw new SourceRejectedException(Reason.REWRITE_FAILED, "header rewrite returned no list");
    }
    if (Attribute.getSingleStringValueOrEmptyString(rewritten, TagFromName.SOPInstanceUID)
        .isBlank()) {
      // MediaStorageSOPInstanceUID is taken from it: without one the original would stay.
      throw new SourceRejectedException(
          Reason.REWRITE_FAILED, "rewritten header has no SOPInstanceUID");
    }
    MessageDigest outDigest = IngestChecksum.sha256();
    CountingOutputStream counting = new CountingOutputStream(target);
    OutputStream out =
        new BufferedOutputStream(new DigestOutputStream(counting, outDigest), COPY_BUFFER);
    try {
      writeHeader(rewritten, header.transferSyntax, out);
    } catch (DicomException e) {
      throw new SourceRejectedException(
          Reason.REWRITE_FAILED,
          "rewritten header cannot be encoded: " + e.getClass().getSimpleName(),
          e);
    }
    long pixelBytes = 0;
    if (header.pixelTagStart >= 0) {
      int start = (int) header.pixelTagStart;
      InputStream rest =
          new SequenceInputStream(
              new ByteArrayInputStream(src.recorded(), start, src.recordedCount() - start), src);
      pixelBytes = PixelDataCopier.copy(rest, header.explicitVr, unused, out);
    }
    out.flush();
    if (mode == IngestChecksum.Mode.FULL) {
      src.skip(Long.MAX_VALUE);
      if (!IngestChecksum.full(fullDigest).equals(expectedChecksum)) {
        throw new SourceChangedException(
            "file checksum differs from the one ingest recorded: the file changed since ingest");
      }
    }
    return new Written(
        HexFormat.of().formatHex(outDigest.digest()),
        counting.count,
        pixelBytes,
        header.transferSyntax.getUID());
  }

  /** {@link #write(InputStream, long, String, HeaderRewrite, OutputStream)} for local files. */
  public Written write(Path source, String expectedChecksum, HeaderRewrite rewrite, Path target)
      throws IOException, SourceRejectedException {
    try (InputStream in = Files.newInputStream(source);
        OutputStream out = Files.newOutputStream(target)) {
      return write(in, Files.size(source), expectedChecksum, rewrite, out);
    }
  }

  /**
   * Writes to {@code finalTarget + ".tmp-<random>"} and renames it to {@code finalTarget}
   * (replacing it) only when everything succeeded, so a reader never sees a partial file; the
   * temporary file is deleted on any failure.
   */
  public Written writeAtomically(
      Path source, String expectedChecksum, HeaderRewrite rewrite, Path finalTarget)
      throws IOException, SourceRejectedException {
    byte[] suffix = new byte[6];
    RANDOM.nextBytes(suffix);
    Path temp =
        finalTarget.resolveSibling(
            finalTarget.getFileName() + ".tmp-" + HexFormat.of().formatHex(suffix));
    boolean done = false;
    try {
      Written written = write(source, expectedChecksum, rewrite, temp);
      Files.move(
          temp, finalTarget, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      done = true;
      return written;
    } finally {
      if (!done) {
        Files.deleteIfExists(temp);
      }
    }
  }

  /** The parsed header and where the PixelData element starts in the source. */
  private record Header(
      AttributeList list,
      TransferSyntax transferSyntax,
      boolean explicitVr,
      long pixelTagStart,
      long headerLength) {}

  private Header readHeader(SourceStream src, long sourceLength)
      throws IOException, SourceRejectedException {
    DirectHeaderReader.Outcome direct;
    try {
      direct = directRead ? DirectHeaderReader.read(src.headerBytes()) : null;
    } catch (IOException e) {
      throw readProblem(src, sourceLength, e);
    }
    if (direct != null && direct.read()) {
      return header(src, sourceLength, direct.list(), direct.pixelTagStart(), direct.end());
    }
    // PixelMed reads the file from its start again: the bytes read so far, then the rest.
    InputStream again =
        new SequenceInputStream(
            new ByteArrayInputStream(src.recorded(), 0, src.recordedCount()), src);
    BufferedInputStream buffered = new BufferedInputStream(again, 16384);
    AttributeList list = new AttributeList();
    long[] pixelTagEnd = {-1};
    long consumed;
    try {
      DicomInputStream din = open(buffered);
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
    } catch (IOException e) {
      throw readProblem(src, sourceLength, e);
    } catch (DicomException | RuntimeException e) {
      throw contentProblem(src, sourceLength, e);
    }
    return header(src, sourceLength, list, pixelTagEnd[0] < 0 ? -1 : pixelTagEnd[0] - 4, consumed);
  }

  private static Header header(
      SourceStream src, long sourceLength, AttributeList list, long pixelTagStart, long consumed)
      throws IOException, SourceRejectedException {
    TransferSyntax ts = checkTransferSyntax(list);
    list.remove(PIXEL_DATA);
    if (pixelTagStart < 0) {
      if (consumed != sourceLength) {
        throw new SourceRejectedException(
            consumed < sourceLength ? Reason.CORRUPT : Reason.TRUNCATED,
            String.format(
                Locale.ROOT,
                "header without PixelData stops at byte %d of %d: an element runs past the end"
                    + " or the rest is not DICOM",
                consumed,
                sourceLength));
      }
      DROPPED_AT_END.forEach(list::remove);
      return new Header(list, ts, ts.isExplicitVR(), -1, consumed);
    }
    long tagStart = pixelTagStart;
    int headerSize = PixelDataCopier.elementHeaderSize(src, tagStart, ts.isExplicitVR());
    return new Header(list, ts, ts.isExplicitVR(), tagStart, tagStart + headerSize);
  }

  /** A file with a preamble, or starting with its meta information (group 0002) without one. */
  private static DicomInputStream open(BufferedInputStream in)
      throws IOException, SourceRejectedException {
    in.mark(140);
    byte[] start = in.readNBytes(132);
    in.reset();
    boolean preamble =
        start.length == 132
            && start[128] == 'D'
            && start[129] == 'I'
            && start[130] == 'C'
            && start[131] == 'M';
    if (preamble) {
      return new DicomInputStream(in);
    }
    if (start.length >= 8 && start[0] == 0x02 && start[1] == 0x00) {
      return new DicomInputStream(in, TransferSyntax.ExplicitVRLittleEndian, true);
    }
    throw new SourceRejectedException(
        Reason.NO_META_HEADER,
        "no DICM preamble and no file meta information: the transfer syntax is unknown");
  }

  private static TransferSyntax checkTransferSyntax(AttributeList list)
      throws SourceRejectedException {
    String uid = Attribute.getSingleStringValueOrEmptyString(list, TagFromName.TransferSyntaxUID);
    uid = uid.trim();
    if (uid.isEmpty()) {
      throw new SourceRejectedException(
          Reason.NO_META_HEADER, "file meta information has no TransferSyntaxUID");
    }
    TransferSyntax ts = new TransferSyntax(uid);
    if (!ts.isRecognized()
        || !ts.isLittleEndian()
        || ts.isDeflated()
        || ts.isBzip2ed()
        || (ts.isImplicitVR() && !uid.equals(TransferSyntax.ImplicitVRLittleEndian))) {
      throw new SourceRejectedException(
          Reason.UNSUPPORTED_TRANSFER_SYNTAX,
          "transfer syntax "
              + uid
              + " is not written: only implicit and explicit VR little endian, native or"
              + " encapsulated (big endian and deflated files are refused)");
    }
    return ts;
  }

  /** Rethrows a failure of the source itself; anything else is a problem with its content. */
  private static SourceRejectedException readProblem(
      SourceStream src, long sourceLength, IOException e) throws IOException {
    if (e instanceof SourceStream.HeaderTooLargeException) {
      return new SourceRejectedException(Reason.CORRUPT, "header is " + e.getMessage(), e);
    }
    if (src.failed()) {
      throw e;
    }
    return contentProblem(src, sourceLength, e);
  }

  private static SourceRejectedException contentProblem(
      SourceStream src, long sourceLength, Exception e) {
    if (e instanceof EOFException || src.endReached() || src.count() >= sourceLength) {
      return new SourceRejectedException(
          Reason.TRUNCATED,
          "file ends inside the header after " + src.count() + " of " + sourceLength + " bytes",
          e);
    }
    return new SourceRejectedException(
        Reason.CORRUPT, "header cannot be parsed: " + e.getClass().getSimpleName(), e);
  }

  /** Preamble, DICM, group 0002 and the data set of {@code list} in {@code ts}. */
  private static void writeHeader(AttributeList list, TransferSyntax ts, OutputStream out)
      throws IOException, DicomException {
    AttributeList meta = new AttributeList();
    AttributeList dataSet = new AttributeList();
    for (Attribute a : new ArrayList<>(list.values())) {
      AttributeTag tag = a.getTag();
      if (tag.getGroup() == 0x0002) {
        if (tag.getElement() != 0x0000) {
          meta.put(a);
        }
      } else if (!tag.equals(PIXEL_DATA)) {
        dataSet.put(a);
      }
    }
    // Retired group lengths of the data set would be stale once a value changes length.
    dataSet.removeGroupLengthAttributes();
    if (meta.get(TagFromName.FileMetaInformationVersion) == null) {
      Attribute version = new OtherByteAttribute(TagFromName.FileMetaInformationVersion);
      version.setValues(new byte[] {0x00, 0x01});
      meta.put(version);
    }
    putUid(meta, TagFromName.TransferSyntaxUID, ts.getUID());
    copyUid(dataSet, TagFromName.SOPClassUID, meta, TagFromName.MediaStorageSOPClassUID);
    copyUid(dataSet, TagFromName.SOPInstanceUID, meta, TagFromName.MediaStorageSOPInstanceUID);

    ByteArrayOutputStream metaBytes = new ByteArrayOutputStream(512);
    DicomOutputStream metaOut =
        new DicomOutputStream(metaBytes, null, TransferSyntax.ExplicitVRLittleEndian);
    meta.write(metaOut);
    metaOut.flush();

    out.write(new byte[128]);
    out.write(new byte[] {'D', 'I', 'C', 'M'});
    int n = metaBytes.size();
    // (0002,0000) UL, explicit VR little endian: tag, "UL", length 4, value.
    out.write(new byte[] {0x02, 0x00, 0x00, 0x00, 'U', 'L', 0x04, 0x00});
    out.write(new byte[] {(byte) n, (byte) (n >>> 8), (byte) (n >>> 16), (byte) (n >>> 24)});
    metaBytes.writeTo(out);

    DicomOutputStream dataOut = new DicomOutputStream(new NoClose(out), null, ts.getUID());
    dataSet.write(dataOut);
    dataOut.flush();
  }

  private static void putUid(AttributeList list, AttributeTag tag, String value)
      throws DicomException {
    Attribute a = new UniqueIdentifierAttribute(tag);
    a.addValue(value);
    list.put(a);
  }

  private static void copyUid(
      AttributeList from, AttributeTag fromTag, AttributeList to, AttributeTag toTag)
      throws DicomException {
    String value = Attribute.getSingleStringValueOrEmptyString(from, fromTag).trim();
    if (!value.isEmpty()) {
      putUid(to, toTag, value);
    }
  }

  /** Counts what reaches the target. */
  private static final class CountingOutputStream extends java.io.FilterOutputStream {
    private long count;

    CountingOutputStream(OutputStream out) {
      super(out);
    }

    @Override
    public void write(int b) throws IOException {
      out.write(b);
      count++;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
      count += len;
    }
  }

  /** Keeps PixelMed from closing the shared output. */
  private static final class NoClose extends java.io.FilterOutputStream {
    NoClose(OutputStream out) {
      super(out);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
    }

    @Override
    public void close() throws IOException {
      flush();
    }
  }
}
