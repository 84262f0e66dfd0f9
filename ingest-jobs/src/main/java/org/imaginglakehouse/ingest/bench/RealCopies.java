package org.imaginglakehouse.ingest.bench;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.DicomInputStream;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.dicom.UniqueIdentifierAttribute;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes copies of real DICOM files (templates) with distinct UIDs: every copy gets its own
 * SOPInstanceUID (also in the file meta information), and copies are grouped into series of {@link
 * #SERIES_SIZE} and studies of {@link #STUDY_SIZE} with their own UIDs, so that a feed of copies
 * looks like a day of a PACS to the ingest (no duplicate SOPs, realistic grouping) while every
 * header keeps the template's attributes, private blocks, sequences and pixel data.
 *
 * <p>Series {@code k} is made of copies of template {@code k mod templates}: a series never mixes
 * files of different origin. Layout {@code studyNNNNN/seriesK/NNNNNNN.dcm}. Deterministic.
 */
public final class RealCopies {
  /** Copies per series. */
  public static final int SERIES_SIZE = 100;

  /** Copies per study. */
  public static final int STUDY_SIZE = 400;

  /** UID root of the copies (the same "example" root the tiny bench files use). */
  private static final String ROOT = "1.2.826.0.1.3680043.10.98.";

  private static final List<AttributeTag> SOP_TAGS =
      List.of(TagFromName.SOPInstanceUID, TagFromName.MediaStorageSOPInstanceUID);

  private final List<Template> templates;

  private record Template(Path path, AttributeList list, String transferSyntax) {}

  /** Reads every template completely (header and pixel data). */
  public RealCopies(List<Path> templatePaths) {
    if (templatePaths.isEmpty()) {
      throw new IllegalArgumentException("at least one template file is needed");
    }
    this.templates =
        templatePaths.stream()
            .map(
                p -> {
                  try (InputStream in = new BufferedInputStream(Files.newInputStream(p))) {
                    AttributeList list = new AttributeList();
                    DicomInputStream din = new DicomInputStream(in);
                    list.read(din);
                    String ts =
                        Attribute.getSingleStringValueOrNull(list, TagFromName.TransferSyntaxUID);
                    if (ts == null) {
                      throw new IllegalArgumentException(
                          "template "
                              + p.getFileName()
                              + " has no file meta information (TransferSyntaxUID): pick a"
                              + " Part 10 file");
                    }
                    return new Template(p, list, ts.trim());
                  } catch (IOException e) {
                    throw new UncheckedIOException("cannot read template " + p, e);
                  } catch (DicomException e) {
                    throw new IllegalArgumentException("cannot parse template " + p, e);
                  }
                })
            .toList();
  }

  /** The file copy number {@code n} is written to, under {@code root}. */
  public static Path pathOf(Path root, int n) {
    int study = n / STUDY_SIZE;
    int series = n / SERIES_SIZE;
    return root.resolve(String.format("study%05d/series%06d/%07d.dcm", study, series, n));
  }

  /**
   * Writes copies number {@code from} (inclusive) to {@code to} (exclusive) under {@code root}.
   * Thread-safe for disjoint ranges that do not share a series (each call works on its own copies
   * of the templates).
   */
  public void write(Path root, int from, int to) {
    AttributeList[] lists = new AttributeList[templates.size()];
    for (int i = 0; i < lists.length; i++) {
      lists[i] = shallowCopy(templates.get(i).list());
    }
    for (int n = from; n < to; n++) {
      int series = n / SERIES_SIZE;
      int t = series % templates.size();
      AttributeList list = lists[t];
      String studyUid = ROOT + (n / STUDY_SIZE) + ".1";
      String seriesUid = ROOT + (n / STUDY_SIZE) + ".2." + series;
      String sopUid = ROOT + (n / STUDY_SIZE) + ".3." + series + "." + n;
      Path file = pathOf(root, n);
      try {
        setUid(list, TagFromName.StudyInstanceUID, studyUid);
        setUid(list, TagFromName.SeriesInstanceUID, seriesUid);
        for (AttributeTag tag : SOP_TAGS) {
          setUid(list, tag, sopUid);
        }
        Files.createDirectories(file.getParent());
        list.write(file.toFile(), templates.get(t).transferSyntax(), true, true);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write " + file, e);
      } catch (DicomException e) {
        throw new IllegalStateException(
            "cannot write a copy of " + templates.get(t).path().getFileName(), e);
      }
    }
  }

  private static AttributeList shallowCopy(AttributeList template) {
    AttributeList copy = new AttributeList();
    copy.putAll(template);
    return copy;
  }

  private static void setUid(AttributeList list, AttributeTag tag, String uid)
      throws DicomException {
    Attribute a = new UniqueIdentifierAttribute(tag);
    a.addValue(uid);
    list.put(a);
  }
}
