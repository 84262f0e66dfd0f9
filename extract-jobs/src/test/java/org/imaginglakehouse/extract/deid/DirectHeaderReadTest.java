package org.imaginglakehouse.extract.deid;

import static org.assertj.core.api.Assertions.assertThat;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.DicomInputStream;
import com.pixelmed.dicom.DicomOutputStream;
import com.pixelmed.dicom.FileMetaInformation;
import com.pixelmed.dicom.PersonNameAttribute;
import com.pixelmed.dicom.SequenceAttribute;
import com.pixelmed.dicom.SpecificCharacterSet;
import com.pixelmed.dicom.StringAttribute;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.dicom.TransferSyntax;
import com.pixelmed.dicom.UnknownAttribute;
import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.imaginglakehouse.core.dicom.DirectHeaderReader;
import org.imaginglakehouse.core.dicom.HeaderBytes;
import org.imaginglakehouse.extract.testing.DicomChecks;
import org.imaginglakehouse.ingest.dicom.DicomHeaderParser.ChecksumMode;
import org.imaginglakehouse.synth.GroundTruth;
import org.imaginglakehouse.synth.SynthOptions;
import org.imaginglakehouse.synth.SyntheticPacs;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link DirectHeaderReader} against PixelMed's {@code AttributeList.read}, the reference it
 * replaces for plain files: on every instance of a synthetic PACS (eight modalities, implicit and
 * explicit VR, JPEG, five character sets including ISO 2022 with escapes, planted PHI in private
 * groups and sequences) the lists are equal attribute by attribute at every depth, and {@link
 * ExtractFileWriter} writes the same bytes whichever reader it uses.
 */
class DirectHeaderReadTest {
  @TempDir static Path dir;
  static GroundTruth gt;

  @BeforeAll
  static void archive() {
    Path root = dir.resolve("pacs");
    SyntheticPacs.generate(
        root,
        SynthOptions.builder()
            .patients(10)
            .seed(23)
            .pixelSize(SynthOptions.PixelSize.TINY)
            .imagesScale(0.15)
            .junkRate(0)
            .parquet(false)
            .threads(1)
            .modalityMix(
                Map.of(
                    "CT", 2.0, "MR", 1.0, "US", 2.0, "SR", 1.0, "CR", 1.0, "MG", 1.0, "PT", 1.0,
                    "NM", 1.0))
            .layout(SynthOptions.Layout.FLAT)
            .build());
    gt = GroundTruth.read(root);
  }

  @Test
  void readsWhatPixelMedReadsOnEveryPlainFileAndLeavesTheRestToIt() throws Exception {
    Map<String, Integer> counts = new TreeMap<>();
    for (GroundTruth.FileEntry f : gt.instances()) {
      byte[] file = Files.readAllBytes(gt.resolve(f));
      DirectHeaderReader.Outcome direct = DirectHeaderReader.read(HeaderBytes.of(file));
      String ts = f.transferSyntaxUid();
      String kind =
          ts.equals(TransferSyntax.ExplicitVRLittleEndian)
              ? "explicit"
              : ts.equals(TransferSyntax.ImplicitVRLittleEndian)
                  ? "implicit"
                  : TransferSyntax.isEncapsulated(ts) && !new TransferSyntax(ts).isDeflated()
                      ? "encapsulated"
                      : "other";
      counts.merge(kind + (direct.read() ? " direct" : " pixelmed"), 1, Integer::sum);
      if (!direct.read()) {
        continue;
      }
      PixelMedRead reference = pixelMed(file);
      assertThat(direct.transferSyntax().getUID()).isEqualTo(ts);
      assertThat(direct.pixelTagStart()).as(f.path()).isEqualTo(reference.pixelTagStart);
      if (reference.pixelTagStart < 0) {
        assertThat(direct.end()).isEqualTo(file.length);
      }
      assertSameList(direct.list(), reference.list, f.path());
    }
    // Every little endian file of this archive is read directly; only deflated and big endian
    // files (which the extract refuses) are left to PixelMed.
    assertThat(counts)
        .as(counts.toString())
        .containsOnlyKeys(
            "explicit direct", "encapsulated direct", "implicit direct", "other pixelmed");
  }

  @Test
  void theWriterWritesTheSameBytesWhicheverReaderReadTheHeader() throws Exception {
    ExtractFileWriter direct = new ExtractFileWriter(true);
    ExtractFileWriter pixelMed = new ExtractFileWriter(false);
    Path out = Files.createDirectories(dir.resolve("out"));
    int compared = 0;
    for (GroundTruth.FileEntry f : gt.instances()) {
      Path source = gt.resolve(f);
      String checksum = DicomChecks.ingest(source, ChecksumMode.HEADER).checksum();
      for (HeaderRewrite rewrite :
          List.<HeaderRewrite>of(
              h -> SyntheticPacsDeidTest.DEID.deidentify(h, "EUPI-" + f.patientId()),
              HeaderRewrite.IDENTITY)) {
        Path a = out.resolve("direct.dcm");
        Path b = out.resolve("pixelmed.dcm");
        String failureA = failure(() -> direct.write(source, checksum, rewrite, a));
        String failureB = failure(() -> pixelMed.write(source, checksum, rewrite, b));
        assertThat(failureA).as(f.path()).isEqualTo(failureB);
        if (failureA == null) {
          assertThat(Files.readAllBytes(a)).as(f.path()).isEqualTo(Files.readAllBytes(b));
          compared++;
        }
      }
    }
    assertThat(compared).isGreaterThan(40);
  }

  @Test
  void anExplicitUnElementIsLeftToPixelMedAndTheOutputIsTheSame() throws Exception {
    AttributeList list = new AttributeList();
    put(list, TagFromName.SOPClassUID, "1.2.840.10008.5.1.4.1.1.7");
    put(list, TagFromName.SOPInstanceUID, "1.2.3.4.5");
    put(list, TagFromName.SpecificCharacterSet, "ISO_IR 100");
    Attribute name = new PersonNameAttribute(TagFromName.PatientName);
    name.addValue("Müller^Jürgen");
    list.put(name);
    UnknownAttribute un = new UnknownAttribute(new AttributeTag(0x0010, 0x1000));
    un.setValues("OTHER-ID".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    list.put(un);
    FileMetaInformation.addFileMetaInformation(list, TransferSyntax.ExplicitVRLittleEndian, "T");
    Path file = dir.resolve("un.dcm");
    list.write(file.toFile(), TransferSyntax.ExplicitVRLittleEndian, true, true);
    DirectHeaderReader.Outcome outcome =
        DirectHeaderReader.read(HeaderBytes.of(Files.readAllBytes(file)));
    assertThat(outcome.read()).isFalse();
    assertThat(outcome.unhandled()).isEqualTo("explicit UN");

    Path a = dir.resolve("un-direct.dcm");
    Path b = dir.resolve("un-pixelmed.dcm");
    new ExtractFileWriter(true).write(file, null, HeaderRewrite.IDENTITY, a);
    new ExtractFileWriter(false).write(file, null, HeaderRewrite.IDENTITY, b);
    assertThat(Files.readAllBytes(a)).isEqualTo(Files.readAllBytes(b));
  }

  private static void put(AttributeList list, AttributeTag tag, String value) throws Exception {
    Attribute a = com.pixelmed.dicom.AttributeFactory.newAttribute(tag);
    a.addValue(value);
    list.put(a);
  }

  private interface Write {
    void run() throws Exception;
  }

  private static String failure(Write write) {
    try {
      write.run();
      return null;
    } catch (SourceRejectedException e) {
      return e.reason() + ": " + e.getMessage();
    } catch (Exception e) {
      return e.getClass().getName() + ": " + e.getMessage();
    }
  }

  private record PixelMedRead(AttributeList list, long pixelTagStart) {}

  private static PixelMedRead pixelMed(byte[] file) throws Exception {
    AttributeList list = new AttributeList();
    long[] pixelTagEnd = {-1};
    DicomInputStream din =
        new DicomInputStream(new BufferedInputStream(new ByteArrayInputStream(file)));
    list.read(
        din,
        (l, tag, offset) -> {
          if (l == list && tag.equals(TagFromName.PixelData)) {
            pixelTagEnd[0] = offset;
            return true;
          }
          return false;
        });
    list.remove(TagFromName.PixelData);
    return new PixelMedRead(list, pixelTagEnd[0] < 0 ? -1 : pixelTagEnd[0] - 4);
  }

  /** Same tags in the same order, same classes, values, character sets, and the same bytes. */
  private static void assertSameList(AttributeList actual, AttributeList expected, String where)
      throws Exception {
    assertThat(new ArrayList<>(actual.keySet()))
        .as(where)
        .isEqualTo(new ArrayList<>(expected.keySet()));
    for (AttributeTag tag : expected.keySet()) {
      Attribute e = expected.get(tag);
      Attribute a = actual.get(tag);
      String at = where + " " + tag;
      assertThat(a.getClass()).as(at).isEqualTo(e.getClass());
      assertThat(a.getVL()).as(at).isEqualTo(e.getVL());
      if (e instanceof SequenceAttribute es) {
        SequenceAttribute as = (SequenceAttribute) a;
        assertThat(as.getNumberOfItems()).as(at).isEqualTo(es.getNumberOfItems());
        Iterator<?> ia = as.iterator();
        Iterator<?> ie = es.iterator();
        int i = 0;
        while (ie.hasNext()) {
          assertSameList(
              ((com.pixelmed.dicom.SequenceItem) ia.next()).getAttributeList(),
              ((com.pixelmed.dicom.SequenceItem) ie.next()).getAttributeList(),
              at + "[" + i++ + "]");
        }
        continue;
      }
      if (e instanceof StringAttribute || e instanceof com.pixelmed.dicom.TextAttribute) {
        assertThat(a.getStringValues()).as(at).isEqualTo(e.getStringValues());
      }
      assertThat(encoded(a)).as(at).isEqualTo(encoded(e));
      if (e instanceof StringAttribute se) {
        assertThat(charset(((StringAttribute) a).getSpecificCharacterSet()))
            .as(at)
            .isEqualTo(charset(se.getSpecificCharacterSet()));
      }
    }
  }

  private static String charset(SpecificCharacterSet scs) {
    return scs == null ? null : scs.toString();
  }

  private static byte[] encoded(Attribute a) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DicomOutputStream out =
        new DicomOutputStream(bytes, null, TransferSyntax.ExplicitVRLittleEndian);
    a.write(out);
    out.flush();
    return bytes.toByteArray();
  }
}
