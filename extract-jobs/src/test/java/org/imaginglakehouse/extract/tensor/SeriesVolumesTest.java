package org.imaginglakehouse.extract.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.CodeStringAttribute;
import com.pixelmed.dicom.DecimalStringAttribute;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.IntegerStringAttribute;
import com.pixelmed.dicom.OtherByteAttribute;
import com.pixelmed.dicom.OtherWordAttribute;
import com.pixelmed.dicom.SequenceAttribute;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.dicom.TransferSyntax;
import com.pixelmed.dicom.UniqueIdentifierAttribute;
import com.pixelmed.dicom.UnsignedShortAttribute;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BaseFixedWidthVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.UInt1Vector;
import org.apache.arrow.vector.UInt2Vector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.ipc.ArrowFileReader;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.util.ByteArrayReadableSeekableByteChannel;
import org.imaginglakehouse.extract.testing.TestDicom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Series of PixelMed-written DICOM files become volumes: slice order along the normal whatever the
 * file and instance order, rescale applied, the smallest element type, enhanced multi-frame and
 * colour images, and the series that are not one volume, each with its reason.
 */
class SeriesVolumesTest {
  static final String AXIAL = "1\\0\\0\\0\\1\\0";
  static final int N = TestDicom.ROWS * TestDicom.ROWS;

  @TempDir Path dir;

  /** A 4x4 CT slice of series "s" at z (null: no geometry) whose stored values are base + i. */
  static AttributeList slice(String sop, int instance, Double z, int base) throws DicomException {
    AttributeList list = TestDicom.ct(sop);
    set(list, new UniqueIdentifierAttribute(TagFromName.SeriesInstanceUID), "1.2.3.4");
    set(list, new IntegerStringAttribute(TagFromName.InstanceNumber), Integer.toString(instance));
    if (z != null) {
      set(list, new DecimalStringAttribute(TagFromName.ImagePositionPatient), "-10\\-20\\" + z);
      set(list, new DecimalStringAttribute(TagFromName.ImageOrientationPatient), AXIAL);
    }
    set(list, new DecimalStringAttribute(TagFromName.PixelSpacing), "0.5\\0.5");
    short[] px = new short[N];
    for (int i = 0; i < N; i++) {
      px[i] = (short) (base + i);
    }
    OtherWordAttribute a = new OtherWordAttribute(TagFromName.PixelData);
    a.setValues(px);
    list.put(a);
    return list;
  }

  static void set(AttributeList list, Attribute a, String value) throws DicomException {
    list.remove(a.getTag());
    for (String v : value.split("\\\\", -1)) {
      a.addValue(v);
    }
    list.put(a);
  }

  SeriesVolumes.Outcome build(AttributeList... lists) throws Exception {
    List<SeriesVolumes.Outcome> all = buildAll(lists);
    assertThat(all).hasSize(1);
    return all.get(0);
  }

  List<SeriesVolumes.Outcome> buildAll(AttributeList... lists) throws Exception {
    List<String> paths = new ArrayList<>();
    for (int i = 0; i < lists.length; i++) {
      String name = "p/st/se/" + i + ".dcm";
      Files.createDirectories(dir.resolve("p/st/se"));
      TestDicom.write(lists[i], TransferSyntax.ExplicitVRLittleEndian, dir.resolve(name));
      paths.add(name);
    }
    return SeriesVolumes.build("se", paths, p -> Files.newInputStream(dir.resolve(p)));
  }

  /** The file's voxels as doubles, slice by slice, and its per-slice columns. */
  record Read(
      String type, String extension, List<double[]> slices, List<Double> positions, int[] acq) {}

  static Read read(byte[] arrow) throws Exception {
    try (BufferAllocator allocator = new RootAllocator();
        ArrowFileReader reader =
            new ArrowFileReader(new ByteArrayReadableSeekableByteChannel(arrow), allocator)) {
      assertThat(reader.getRecordBlocks()).hasSize(1);
      reader.loadNextBatch();
      VectorSchemaRoot root = reader.getVectorSchemaRoot();
      Field voxels = root.getSchema().findField(ArrowVolumeWriter.VOXELS);
      FixedSizeListVector v = (FixedSizeListVector) root.getVector(ArrowVolumeWriter.VOXELS);
      BaseFixedWidthVector child = (BaseFixedWidthVector) v.getDataVector();
      List<double[]> slices = new ArrayList<>();
      List<Double> positions = new ArrayList<>();
      int[] acq = new int[root.getRowCount()];
      Float8Vector pos = (Float8Vector) root.getVector("slice_position_mm");
      IntVector acquisition = (IntVector) root.getVector("acquisition_index");
      for (int k = 0; k < root.getRowCount(); k++) {
        double[] s = new double[v.getListSize()];
        for (int i = 0; i < s.length; i++) {
          s[i] = value(child, k * s.length + i);
        }
        slices.add(s);
        positions.add(pos.isNull(k) ? null : pos.get(k));
        acq[k] = acquisition.get(k);
      }
      return new Read(
          child.getField().getType().toString(),
          voxels.getMetadata().get("ARROW:extension:name")
              + " "
              + voxels.getMetadata().get("ARROW:extension:metadata"),
          slices,
          positions,
          acq);
    }
  }

  /** One element; the unsigned vectors' objects are Java's signed byte and char. */
  static double value(BaseFixedWidthVector child, int index) {
    if (child instanceof UInt1Vector u) {
      return u.getValueAsLong(index);
    }
    if (child instanceof UInt2Vector u) {
      return u.get(index);
    }
    return ((Number) child.getObject(index)).doubleValue();
  }

  @Test
  void slicesAreOrderedAlongTheNormalWithTheirPositionsAndAcquisitionOrder() throws Exception {
    // Files and instance numbers in neither spatial nor reverse order.
    SeriesVolumes.Outcome out =
        build(slice("9.1", 2, 5.0, 300), slice("9.2", 1, -5.0, 100), slice("9.3", 3, 0.0, 200));
    assertThat(out.reason()).isNull();
    assertThat(out.relativePath()).isEqualTo("tensors/modality=CT/se.arrow");
    Read r = read(out.arrow());
    assertThat(r.positions()).containsExactly(-5.0, 0.0, 5.0);
    assertThat(r.acq()).containsExactly(0, 2, 1);
    assertThat(r.slices().get(0)[0]).isEqualTo(100);
    assertThat(r.slices().get(1)[N - 1]).isEqualTo(200 + N - 1);
    assertThat(r.slices().get(2)[3]).isEqualTo(303);
    assertThat(r.extension())
        .isEqualTo("arrow.fixed_shape_tensor {\"shape\":[4,4],\"dim_names\":[\"row\",\"column\"]}");
    assertThat(out.plan().sliceSpacing()).isEqualTo(5.0);
    assertThat(out.plan().origin()).containsExactly(-10, -20, -5);
    assertThat(out.metadata()).containsEntry("Modality", "CT");
  }

  @Test
  void rescaleIsAppliedInTheSmallestTypeThatHoldsTheValues() throws Exception {
    AttributeList a = slice("8.1", 1, 0.0, 0);
    AttributeList b = slice("8.2", 2, 1.0, 4000);
    for (AttributeList l : List.of(a, b)) {
      set(l, new DecimalStringAttribute(TagFromName.RescaleIntercept), "-1024");
      set(l, new DecimalStringAttribute(TagFromName.RescaleSlope), "1");
    }
    Read r = read(build(a, b).arrow());
    assertThat(r.type()).isEqualTo("Int(16, true)");
    assertThat(r.slices().get(0)[0]).isEqualTo(-1024);
    // BitsStored 12: 4000 + 15 = 4015 fits; the second slice's values are rescaled as stored.
    assertThat(r.slices().get(1)[15]).isEqualTo(4015 - 1024);

    for (AttributeList l : List.of(a, b)) {
      set(l, new DecimalStringAttribute(TagFromName.RescaleSlope), "0.5");
    }
    r = read(build(a, b).arrow());
    assertThat(r.type()).isEqualTo("FloatingPoint(SINGLE)");
    assertThat(r.slices().get(1)[1]).isEqualTo(4001 * 0.5 - 1024);

    for (AttributeList l : List.of(a, b)) {
      set(l, new DecimalStringAttribute(TagFromName.RescaleSlope), "1");
      set(l, new DecimalStringAttribute(TagFromName.RescaleIntercept), "0");
    }
    // Within int16: int16 (same size as uint16, and what CT readers expect).
    assertThat(read(build(a, b).arrow()).type()).isEqualTo("Int(16, true)");
    AttributeList e = slice("8.5", 1, 0.0, 40000);
    AttributeList f = slice("8.6", 2, 1.0, 0);
    for (AttributeList l : List.of(e, f)) {
      set(l, new UnsignedShortAttribute(TagFromName.BitsStored), "16");
      set(l, new UnsignedShortAttribute(TagFromName.HighBit), "15");
    }
    r = read(build(e, f).arrow());
    assertThat(r.type()).isEqualTo("Int(16, false)");
    assertThat(r.slices().get(0)[15]).isEqualTo(40015);
    AttributeList c = slice("8.3", 1, 0.0, 10);
    AttributeList d = slice("8.4", 2, 1.0, 20);
    assertThat(read(build(c, d).arrow()).type()).isEqualTo("Int(8, false)");
    for (AttributeList l : List.of(a, b)) {
      set(l, new UnsignedShortAttribute(TagFromName.BitsStored), "16");
      set(l, new UnsignedShortAttribute(TagFromName.HighBit), "15");
      set(l, new DecimalStringAttribute(TagFromName.RescaleSlope), "20");
    }
    r = read(build(a, b).arrow());
    assertThat(r.type()).isEqualTo("Int(32, true)");
    assertThat(r.slices().get(1)[15]).isEqualTo(4015 * 20);
  }

  @Test
  void highBitsAboveBitsStoredAreDroppedAndSignedValuesSignExtended() throws Exception {
    AttributeList a = slice("7.1", 1, 0.0, 0);
    AttributeList b = slice("7.2", 2, 1.0, 0);
    short[] px = new short[N];
    px[0] = (short) 0x8005; // an overlay bit in bit 15 over stored value 5
    px[1] = (short) 0x0FFF; // -1 as 12-bit signed
    for (AttributeList l : List.of(a, b)) {
      OtherWordAttribute w = new OtherWordAttribute(TagFromName.PixelData);
      w.setValues(px);
      l.put(w);
      set(l, new UnsignedShortAttribute(TagFromName.PixelRepresentation), "1");
    }
    Read r = read(build(a, b).arrow());
    assertThat(r.slices().get(0)[0]).isEqualTo(5);
    assertThat(r.slices().get(0)[1]).isEqualTo(-1);
    assertThat(r.type()).isEqualTo("Int(16, true)");
  }

  @Test
  void seriesThatAreNotOneVolumeAreListedWithTheirReasonAndGapsSplitThem() throws Exception {
    assertThat(build(slice("6.1", 1, 0.0, 0), slice("6.2", 2, 0.0, 0)).reason())
        .isEqualTo(VolumeException.REPEATED_POSITIONS);
    // A gap (a slice missing) splits the series: one volume per run of evenly spaced slices.
    List<SeriesVolumes.Outcome> parts =
        buildAll(
            slice("6.1", 1, 0.0, 0),
            slice("6.2", 2, 1.0, 0),
            slice("6.3", 3, 2.0, 0),
            slice("6.4", 4, 5.0, 0),
            slice("6.5", 5, 6.0, 0));
    assertThat(parts)
        .extracting(SeriesVolumes.Outcome::relativePath)
        .containsExactly(
            "tensors/modality=CT/se_part1.arrow", "tensors/modality=CT/se_part2.arrow");
    assertThat(parts).extracting(o -> o.plan().frames().size()).containsExactly(3, 2);
    assertThat(parts).extracting(SeriesVolumes.Outcome::parts).containsExactly(2, 2);
    assertThat(read(parts.get(1).arrow()).positions()).containsExactly(5.0, 6.0);
    assertThat(parts.get(1).plan().origin()).containsExactly(-10, -20, 5);
    AttributeList sagittal = slice("6.2", 2, 1.0, 0);
    set(
        sagittal,
        new DecimalStringAttribute(TagFromName.ImageOrientationPatient),
        "0\\1\\0\\0\\0\\-1");
    SeriesVolumes.Outcome mixed = build(slice("6.1", 1, 0.0, 0), sagittal);
    assertThat(mixed.reason()).isEqualTo(VolumeException.MIXED_ORIENTATION);
    assertThat(mixed.arrow()).isNull();
    assertThat(mixed.relativePath()).isNull();
    AttributeList big = slice("6.2", 2, 1.0, 0);
    set(big, new UnsignedShortAttribute(TagFromName.Columns), "2");
    set(big, new UnsignedShortAttribute(TagFromName.Rows), "2");
    assertThat(build(slice("6.1", 1, 0.0, 0), big).reason()).isEqualTo(VolumeException.MIXED_SIZE);
    assertThat(build(slice("6.1", 1, null, 0), slice("6.2", 2, null, 0)).reason())
        .isEqualTo(VolumeException.NO_GEOMETRY);
    assertThat(build(slice("6.1", 1, null, 0), slice("6.2", 2, 1.0, 0)).reason())
        .isEqualTo(VolumeException.PARTIAL_GEOMETRY);
    AttributeList sheared = slice("6.2", 2, 1.0, 0);
    set(sheared, new DecimalStringAttribute(TagFromName.ImagePositionPatient), "-10\\-19\\1");
    assertThat(build(slice("6.1", 1, 0.0, 0), sheared).reason())
        .isEqualTo(VolumeException.NOT_ALONG_NORMAL);
  }

  @Test
  void enhancedMultiFrameImagesStackByTheirPerFrameFunctionalGroups() throws Exception {
    AttributeList list = slice("5.1", 1, null, 0);
    set(list, new IntegerStringAttribute(TagFromName.NumberOfFrames), "3");
    short[] px = new short[3 * N];
    for (int f = 0; f < 3; f++) {
      for (int i = 0; i < N; i++) {
        px[f * N + i] = (short) (100 * (f + 1) + i);
      }
    }
    OtherWordAttribute w = new OtherWordAttribute(TagFromName.PixelData);
    w.setValues(px);
    list.put(w);
    SequenceAttribute shared = new SequenceAttribute(TagFromName.SharedFunctionalGroupsSequence);
    AttributeList sharedItem = new AttributeList();
    sharedItem.put(
        macro(TagFromName.PlaneOrientationSequence, TagFromName.ImageOrientationPatient, AXIAL));
    sharedItem.put(macro(TagFromName.PixelMeasuresSequence, TagFromName.PixelSpacing, "0.7\\0.7"));
    sharedItem.put(
        macro(TagFromName.PixelValueTransformationSequence, TagFromName.RescaleIntercept, "-100"));
    shared.addItem(sharedItem);
    list.put(shared);
    SequenceAttribute perFrame =
        new SequenceAttribute(TagFromName.PerFrameFunctionalGroupsSequence);
    for (String z : List.of("4", "0", "2")) { // frame 1 is the top slice
      AttributeList item = new AttributeList();
      item.put(
          macro(TagFromName.PlanePositionSequence, TagFromName.ImagePositionPatient, "0\\0\\" + z));
      perFrame.addItem(item);
    }
    list.put(perFrame);
    list.remove(TagFromName.PixelSpacing);
    SeriesVolumes.Outcome out = build(list);
    assertThat(out.reason()).isNull();
    assertThat(out.plan().pixelSpacing()).containsExactly(0.7, 0.7);
    Read r = read(out.arrow());
    assertThat(r.positions()).containsExactly(0.0, 2.0, 4.0);
    assertThat(r.slices().get(0)[0]).isEqualTo(200 - 100);
    assertThat(r.slices().get(1)[1]).isEqualTo(301 - 100);
    assertThat(r.slices().get(2)[2]).isEqualTo(102 - 100);
    assertThat(r.acq()).containsExactly(1, 2, 0);
  }

  private static SequenceAttribute macro(AttributeTag sequence, AttributeTag tag, String value)
      throws DicomException {
    SequenceAttribute sq = new SequenceAttribute(sequence);
    AttributeList item = new AttributeList();
    set(item, new DecimalStringAttribute(tag), value);
    sq.addItem(item);
    return sq;
  }

  @Test
  void colourFramesKeepTheirChannelsInterleavedWhateverThePlanarConfiguration() throws Exception {
    AttributeList list = slice("4.1", 1, null, 0);
    set(list, new UnsignedShortAttribute(TagFromName.SamplesPerPixel), "3");
    set(list, new CodeStringAttribute(TagFromName.PhotometricInterpretation), "RGB");
    set(list, new UnsignedShortAttribute(TagFromName.PlanarConfiguration), "1");
    for (AttributeTag t : List.of(TagFromName.BitsAllocated, TagFromName.BitsStored)) {
      set(list, new UnsignedShortAttribute(t), "8");
    }
    set(list, new UnsignedShortAttribute(TagFromName.HighBit), "7");
    set(list, new IntegerStringAttribute(TagFromName.NumberOfFrames), "2");
    set(list, new CodeStringAttribute(TagFromName.Modality), "US");
    list.remove(TagFromName.RescaleSlope);
    byte[] px = new byte[2 * 3 * N];
    for (int f = 0; f < 2; f++) {
      for (int c = 0; c < 3; c++) {
        for (int i = 0; i < N; i++) {
          px[f * 3 * N + c * N + i] = (byte) (f * 100 + c * 10 + i); // R plane, G plane, B plane
        }
      }
    }
    OtherByteAttribute b = new OtherByteAttribute(TagFromName.PixelData);
    b.setValues(px);
    list.put(b);
    SeriesVolumes.Outcome out = build(list);
    assertThat(out.reason()).isNull();
    assertThat(out.plan().geometry()).isEqualTo(VolumePlan.FRAMES);
    assertThat(out.relativePath()).isEqualTo("tensors/modality=US/se.arrow");
    Read r = read(out.arrow());
    assertThat(r.extension()).contains("\"shape\":[4,4,3]");
    assertThat(r.positions()).containsExactly(null, null);
    // pixel 1 of frame 2: R, G, B side by side
    assertThat(r.slices().get(1)).startsWith(100, 110, 120, 101, 111, 121);
    assertThat(r.type()).isEqualTo("Int(8, false)");
  }
}
