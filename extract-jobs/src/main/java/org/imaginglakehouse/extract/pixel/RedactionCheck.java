package org.imaginglakehouse.extract.pixel;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.TagFromName;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.imaginglakehouse.transform.ocr.IdentityMatcher;
import org.imaginglakehouse.transform.ocr.OcrOutcome;
import org.imaginglakehouse.transform.ocr.OcrRunner;
import org.imaginglakehouse.transform.ocr.OcrSettings;
import org.imaginglakehouse.transform.ocr.OcrWord;

/**
 * Reads redacted pixels again with the engine and passes of {@code lakehouse ocr} ({@link
 * OcrRunner}: one Tesseract handle per thread) and decides whether the redaction worked: no text
 * word inside a blacked-out region and none of the patient's identity (name parts, patient ID,
 * birth date, accession number, matched as {@code lakehouse ocr} matches them) anywhere in the
 * frames read. Used by the extract before BurnedInAnnotation is set to NO, and by verify on the
 * released files.
 */
public final class RedactionCheck {
  /** A word counts as inside a region when at least this fraction of its box is covered. */
  static final double INSIDE = 0.25;

  /**
   * What the OCR read: counts, identity kinds, and {@code textRead}, the text words joined (hash it
   * before storing: it is what the pixels show), with the first frame that had text (-1: none).
   */
  public record Result(
      String status,
      int words,
      int textWords,
      int textWordsInRegions,
      Set<String> identity,
      int framesRead,
      int calls,
      long millis,
      String textRead,
      int firstTextFrame) {

    /** Clean: decodable, no text in the regions, no identity. */
    public boolean clean() {
      return !status.equals(OcrOutcome.UNDECODABLE)
          && textWordsInRegions == 0
          && identity.isEmpty();
    }

    /** Why it is not clean (structure and kinds only, never the text). */
    public String problem() {
      List<String> parts = new ArrayList<>();
      if (status.equals(OcrOutcome.UNDECODABLE)) {
        parts.add("the redacted pixels could not be read again");
      }
      if (textWordsInRegions > 0) {
        parts.add(textWordsInRegions + " text word(s) read inside a redacted region");
      }
      if (!identity.isEmpty()) {
        parts.add("patient identity read in the pixels (" + String.join(", ", identity) + ")");
      }
      return String.join("; ", parts);
    }
  }

  private final OcrSettings settings;

  public RedactionCheck(OcrSettings settings) {
    this.settings = settings;
  }

  public OcrSettings settings() {
    return settings;
  }

  /** OCRs the redacted frames and compares them with the source header's identity. */
  public Result check(RedactedImage image) {
    return check(image, identity(image.header()));
  }

  /** OCRs the frames and looks for {@code identity} (verify: the source's, not the file's). */
  public Result check(RedactedImage image, IdentityMatcher identity) {
    return check(image, image.regions(), identity);
  }

  /** The same for a released image and the regions the extract blacked out in it. */
  public Result check(RedactedImage image, List<Region> regions, IdentityMatcher identity) {
    OcrOutcome outcome =
        new OcrRunner(settings).run(image.decoded(), image.descriptor(), System.nanoTime());
    return judge(outcome, regions, identity);
  }

  /** The identity {@code lakehouse ocr} looks for, from a (source) header. */
  public static IdentityMatcher identity(AttributeList header) {
    return IdentityMatcher.of(
        value(header, TagFromName.PatientName),
        value(header, TagFromName.PatientID),
        value(header, TagFromName.PatientBirthDate),
        value(header, TagFromName.AccessionNumber));
  }

  private static String value(AttributeList header, com.pixelmed.dicom.AttributeTag tag) {
    String v = Attribute.getSingleStringValueOrNull(header, tag);
    return v == null || v.isBlank() ? null : v;
  }

  /** Judges what OCR read in frames that had {@code regions} blacked out. */
  public Result judge(OcrOutcome outcome, List<Region> regions, IdentityMatcher identity) {
    Map<String, List<String>> lines = new LinkedHashMap<>();
    int text = 0;
    int inside = 0;
    int firstFrame = -1;
    StringBuilder read = new StringBuilder();
    for (OcrOutcome.FoundWord w : outcome.words()) {
      OcrWord word = w.word();
      lines
          .computeIfAbsent(
              w.source() + "|" + w.frame() + "|" + w.pass() + "|" + word.line(),
              k -> new ArrayList<>())
          .add(word.text());
      if (!OcrRunner.isText(word, settings.textConfidence())) {
        continue;
      }
      text++;
      read.append(word.text()).append('\n');
      firstFrame = firstFrame < 0 ? w.frame() : Math.min(firstFrame, w.frame());
      Region box = new Region(word.left(), word.top(), word.width(), word.height());
      long covered = 0;
      for (Region r : regions) {
        covered = Math.max(covered, box.overlap(r));
      }
      if (box.area() > 0 && covered >= INSIDE * box.area()) {
        inside++;
      }
    }
    return new Result(
        outcome.status(),
        outcome.words().size(),
        text,
        inside,
        identity.match(lines),
        outcome.framesRead(),
        outcome.tesseractCalls(),
        outcome.millis(),
        read.toString(),
        firstFrame);
  }
}
