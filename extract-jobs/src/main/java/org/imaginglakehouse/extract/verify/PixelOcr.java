package org.imaginglakehouse.extract.verify;

import java.util.ArrayList;
import java.util.List;
import org.imaginglakehouse.extract.pixel.PixelRedactor;
import org.imaginglakehouse.extract.pixel.RedactedImage;
import org.imaginglakehouse.extract.pixel.RedactionCheck;
import org.imaginglakehouse.extract.pixel.RedactionException;
import org.imaginglakehouse.extract.pixel.Region;
import org.imaginglakehouse.transform.ocr.IdentityMatcher;
import org.imaginglakehouse.transform.ocr.OcrSettings;

/**
 * Verify's OCR of released pixels (plain Java): the released file is decoded and read with the
 * engine and passes of {@code lakehouse ocr} ({@link RedactionCheck}); the patient's identity (from
 * the source instance) anywhere, or a text word inside a region the extract blacked out, is an
 * error; other confident text is a warning (a person looks at it). Findings carry a hash and the
 * frame, never the text read.
 */
public final class PixelOcr {
  /** Identity read in the pixels. */
  public static final String IDENTITY = "pixel_identity";

  /** A text word inside a region the extract blacked out. */
  public static final String TEXT_IN_REDACTION = "pixel_text_in_redaction";

  /** Other confident text in the pixels. */
  public static final String TEXT = "pixel_text";

  /** The released pixels cannot be decoded for OCR. */
  public static final String UNDECODABLE = "pixel_ocr_undecodable";

  private final RedactionCheck check;

  public PixelOcr(OcrSettings settings) {
    this.check = new RedactionCheck(settings);
  }

  /**
   * Reads {@code file} (a released DICOM file) and reports what it finds.
   *
   * @param redacted the regions the extract blacked out, or null when the image was not redacted
   * @param identity the source patient's identity
   */
  public List<Failure> check(
      String path, byte[] file, List<Region> redacted, IdentityMatcher identity) {
    List<Failure> out = new ArrayList<>();
    RedactedImage image;
    try {
      image = PixelRedactor.decode(PixelRedactor.parse(file), true);
    } catch (RedactionException e) {
      // A redacted file is written uncompressed by the extract: it must decode.
      out.add(
          new Failure(
              path,
              UNDECODABLE,
              null,
              -1,
              redacted == null ? Failure.WARNING : Failure.ERROR,
              e.getMessage()));
      return out;
    }
    RedactionCheck.Result r = check.check(image, redacted == null ? List.of() : redacted, identity);
    if (!r.identity().isEmpty()) {
      out.add(
          new Failure(
              path,
              IDENTITY,
              Failure.sha256(r.textRead()),
              r.firstTextFrame(),
              Failure.ERROR,
              "OCR read the patient's " + String.join(", ", r.identity()) + " in the pixels"));
    }
    if (r.textWordsInRegions() > 0) {
      out.add(
          new Failure(
              path,
              TEXT_IN_REDACTION,
              Failure.sha256(r.textRead()),
              r.firstTextFrame(),
              Failure.ERROR,
              r.textWordsInRegions() + " text word(s) inside a redacted region"));
    }
    int elsewhere = r.textWords() - r.textWordsInRegions();
    if (elsewhere > 0 && r.identity().isEmpty()) {
      out.add(
          new Failure(
              path,
              TEXT,
              Failure.sha256(r.textRead()),
              r.firstTextFrame(),
              Failure.WARNING,
              elsewhere + " text word(s) read in the pixels (no identity matched)"));
    }
    return out;
  }
}
