package org.imaginglakehouse.extract;

import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.DicomInputStream;
import com.pixelmed.dicom.TagFromName;
import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Serializable;
import java.nio.file.NoSuchFileException;
import org.apache.hadoop.fs.Path;
import org.imaginglakehouse.core.io.HadoopConf;
import org.imaginglakehouse.core.io.SourceFiles;
import org.imaginglakehouse.extract.deid.DeidProfile;
import org.imaginglakehouse.extract.deid.Deidentifier;
import org.imaginglakehouse.extract.deid.ExtractFileWriter;
import org.imaginglakehouse.extract.deid.HmacProjectPseudonyms;
import org.imaginglakehouse.extract.deid.SourceRejectedException;
import org.imaginglakehouse.extract.deid.Written;
import org.imaginglakehouse.extract.pixel.OverlayScreen;
import org.imaginglakehouse.extract.pixel.PixelRedactor;
import org.imaginglakehouse.extract.pixel.RedactedImage;
import org.imaginglakehouse.extract.pixel.RedactionCheck;
import org.imaginglakehouse.extract.pixel.RedactionException;
import org.imaginglakehouse.extract.pixel.Region;
import org.imaginglakehouse.transform.ocr.OcrSettings;

/**
 * Writes one instance of an extraction (on an executor): opens the source file, checks it is the
 * file ingest read, de-identifies its header, copies its pixel bytes verbatim, and renames the
 * result into place. With the pixel policy {@code redact}, an image flagged with burned-in text or
 * matched by a signature rule is redacted first ({@link PixelRedactor}, checked by {@link
 * RedactionCheck}) and its redacted, uncompressed pixels are written instead. Build one per
 * partition ({@link #open}); it is not thread-safe.
 */
final class InstanceExtractor {
  /** Largest file redacted (read whole into memory). */
  static final long MAX_REDACTED_FILE = 1L << 30;

  /**
   * What the executors ship back per instance; {@code overlays} is what {@link OverlayScreen} did
   * ({@code pixel.overlays: keep}; {@link OverlayScreen.Result#NONE} otherwise).
   */
  record Outcome(
      String sopInstanceUid,
      String relativePath,
      String sha256,
      long size,
      long pixelBytesCopied,
      String reason,
      String message,
      String redactedRegions,
      String redactionRules,
      OverlayScreen.Result overlays) {}

  /** Everything an executor needs, serialised once per task. */
  record Settings(ProjectConfig project, HmacProjectPseudonyms pseudonyms, String extractionRoot)
      implements Serializable {}

  private final Settings settings;
  private final Deidentifier deidentifier;
  private final ExtractFileWriter writer = new ExtractFileWriter();
  private final PixelRedactor redactor;
  private final RedactionCheck check;
  private final OverlayScreen overlayScreen;
  private TargetFiles targets;

  private InstanceExtractor(Settings settings, DeidProfile profile) {
    this.settings = settings;
    this.deidentifier = new Deidentifier(profile, settings.pseudonyms());
    boolean redacts = settings.project().redacts();
    this.redactor = redacts ? new PixelRedactor(settings.project().redaction()) : null;
    this.check = redacts ? new RedactionCheck(OcrSettings.defaults()) : null;
    this.overlayScreen =
        settings.project().keepOverlays() ? new OverlayScreen(OcrSettings.defaults()) : null;
  }

  static InstanceExtractor open(Settings settings) {
    return new InstanceExtractor(settings, Profiles.of(settings.project()));
  }

  /** Where an instance goes, relative to the extraction root: patient/study/series/SOP.dcm. */
  static String relativePath(
      HmacProjectPseudonyms pseudonyms, String eupi, String study, String series, String sop) {
    return pseudonyms.patientId(eupi)
        + "/"
        + pseudonyms.uid(study)
        + "/"
        + pseudonyms.uid(series)
        + "/"
        + pseudonyms.uid(sop)
        + ".dcm";
  }

  Outcome extract(
      String filePath,
      String checksum,
      String eupi,
      String study,
      String series,
      String sop,
      boolean flagged,
      String ocrBoxes,
      String attempt) {
    HmacProjectPseudonyms p = settings.pseudonyms();
    String newSop = p.uid(sop);
    String relative = relativePath(p, eupi, study, series, sop);
    Path target = new Path(settings.extractionRoot() + "/" + relative);
    Path temp = new Path(target.getParent(), "." + target.getName() + ".tmp-" + attempt);
    TargetFiles files;
    try {
      files = targets(target);
    } catch (IOException e) {
      return failed(newSop, Rejection.WRITE_FAILED.id(), "cannot reach the project storage");
    }
    long length;
    try {
      length = SourceFiles.length(filePath);
    } catch (FileNotFoundException | NoSuchFileException e) {
      return failed(newSop, Rejection.SOURCE_MISSING.id(), "source file not found");
    } catch (IOException e) {
      return failed(newSop, Rejection.SOURCE_MISSING.id(), "source file unreadable");
    }
    try {
      Written written;
      Redaction redaction = null;
      if (redactor != null && (flagged || !redactor.rulesFor(header(filePath)).isEmpty())) {
        redaction = redact(filePath, length, checksum, ocrBoxes);
      }
      OverlayScreen.Result[] overlays = {OverlayScreen.Result.NONE};
      try (InputStream in =
              redaction == null
                  ? SourceFiles.open(filePath)
                  : new ByteArrayInputStream(redaction.file());
          OutputStream out = files.create(temp)) {
        written =
            writer.write(
                in,
                redaction == null ? length : redaction.file().length,
                redaction == null ? checksum : null, // the source was checked before redaction
                header -> {
                  if (overlayScreen != null) {
                    overlays[0] = overlayScreen.screen(header);
                  }
                  return deidentifier.deidentify(header, eupi);
                },
                out);
      }
      files.moveIntoPlace(temp, target); // a re-run after a kill: same bytes, written again
      return new Outcome(
          newSop,
          relative,
          written.sha256(),
          written.size(),
          written.pixelBytesCopied(),
          null,
          null,
          redaction == null ? null : Region.format(redaction.image().regions()),
          redaction == null ? null : String.join(",", redaction.image().rules()),
          overlays[0]);
    } catch (SourceRejectedException e) {
      files.deleteQuietly(temp);
      return failed(newSop, e.reason().code(), e.getMessage());
    } catch (IOException | RuntimeException e) {
      files.deleteQuietly(temp);
      // The class only: messages of I/O and parser exceptions can quote file content or paths.
      return failed(newSop, Rejection.WRITE_FAILED.id(), e.getClass().getSimpleName());
    }
  }

  private static Outcome failed(String sop, String reason, String message) {
    return new Outcome(
        sop, null, null, 0, 0, reason, message, null, null, OverlayScreen.Result.NONE);
  }

  /** A redacted source: the whole file to de-identify, and what was blacked out. */
  private record Redaction(byte[] file, RedactedImage image) {}

  /**
   * Reads the source whole, checks it against ingest's checksum, blacks out its OCR boxes and
   * signature-rule regions, and OCRs the result again; throws (the image is rejected) unless the
   * re-OCR is clean.
   */
  private Redaction redact(String filePath, long length, String checksum, String ocrBoxes)
      throws IOException, SourceRejectedException {
    if (length > MAX_REDACTED_FILE) {
      throw new RedactionException(
          SourceRejectedException.Reason.REDACTION_UNSUPPORTED,
          "file of "
              + length
              + " bytes: larger than the "
              + MAX_REDACTED_FILE
              + " redacted in memory");
    }
    byte[] source;
    try (InputStream in = SourceFiles.open(filePath)) {
      source = in.readAllBytes();
    }
    // The checksum and structure of the source, exactly as for a verbatim copy.
    writer.write(
        new ByteArrayInputStream(source),
        source.length,
        checksum,
        header -> header,
        OutputStream.nullOutputStream());
    RedactedImage image = redactor.redact(PixelRedactor.parse(source), Region.parse(ocrBoxes));
    RedactionCheck.Result result = check.check(image);
    if (!result.clean()) {
      throw new RedactionException(
          SourceRejectedException.Reason.REDACTION_FAILED,
          "after blacking out " + image.regions().size() + " region(s): " + result.problem());
    }
    try {
      return new Redaction(image.toFile(overlayScreen != null), image);
    } catch (DicomException e) {
      throw new RedactionException(
          SourceRejectedException.Reason.REDACTION_FAILED,
          "the redacted image cannot be encoded: " + e.getClass().getSimpleName());
    }
  }

  /** The header up to PixelData, for the signature rules; empty when it cannot be read. */
  private static AttributeList header(String filePath) {
    AttributeList list = new AttributeList();
    try (InputStream in = new BufferedInputStream(SourceFiles.open(filePath), 65536)) {
      list.read(new DicomInputStream(in), TagFromName.PixelData);
    } catch (IOException | DicomException | RuntimeException e) {
      // Not redacted by rule; the writer reports what is wrong with the file.
      return new AttributeList();
    }
    return list;
  }

  /** The writer of the extraction's storage, made on first use (one per task). */
  private TargetFiles targets(Path target) throws IOException {
    if (targets == null) {
      targets = TargetFiles.of(target.getFileSystem(HadoopConf.get()));
    }
    return targets;
  }
}
