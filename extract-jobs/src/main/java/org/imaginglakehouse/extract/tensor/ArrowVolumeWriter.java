package org.imaginglakehouse.extract.tensor;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BaseFixedWidthVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.ipc.ArrowFileWriter;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Writes one volume as an Arrow IPC file (Arrow Java): one row per slice in slice order, one record
 * batch, the voxels last. Column {@code voxels} is Arrow's canonical fixed-shape tensor extension
 * ({@code arrow.fixed_shape_tensor}, storage {@code fixed_size_list<T>[rows*columns*channels]},
 * shape {@code [rows, columns]} or {@code [rows, columns, channels]}): pyarrow reads the column as
 * a {@code FixedShapeTensorArray} whose {@code to_numpy_ndarray()} is the stacked volume {@code
 * [slices, rows, columns(, channels)]} without a copy. See docs/ml-ready.md for every column.
 */
public final class ArrowVolumeWriter {
  public static final String VOXELS = "voxels";
  public static final String TENSOR_EXTENSION = "arrow.fixed_shape_tensor";

  /** Loads the stored values of one frame (see {@link DicomFrames#stored}). */
  @FunctionalInterface
  public interface FrameSource {
    int[] stored(FrameInfo frame) throws IOException, VolumeException;
  }

  private static final ArrowType F64 = new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE);

  private ArrowVolumeWriter() {}

  /** The file's schema for a plan (voxel type and slice shape). */
  public static Schema schema(VolumePlan plan) {
    List<Field> fields = new ArrayList<>();
    fields.add(Field.notNullable("slice_index", new ArrowType.Int(32, true)));
    fields.add(Field.nullable("slice_position_mm", F64));
    fields.add(doubles("image_position_patient", 3));
    fields.add(Field.notNullable("acquisition_index", new ArrowType.Int(32, true)));
    fields.add(Field.nullable("instance_number", new ArrowType.Int(32, true)));
    fields.add(Field.notNullable("frame_number", new ArrowType.Int(32, true)));
    fields.add(Field.notNullable("SOPInstanceUID", ArrowType.Utf8.INSTANCE));
    fields.add(Field.notNullable("rescale_slope", F64));
    fields.add(Field.notNullable("rescale_intercept", F64));
    for (String keyword : DicomFrames.METADATA) {
      fields.add(Field.nullable(keyword, ArrowType.Utf8.INSTANCE));
    }
    fields.add(Field.notNullable("geometry", ArrowType.Utf8.INSTANCE));
    fields.add(doubles("image_orientation_patient", 6));
    fields.add(doubles("pixel_spacing_mm", 2));
    fields.add(Field.nullable("slice_spacing_mm", F64));
    fields.add(doubles("origin", 3));
    fields.add(voxels(plan));
    return new Schema(fields);
  }

  private static Field doubles(String name, int size) {
    return new Field(
        name,
        FieldType.nullable(new ArrowType.FixedSizeList(size)),
        List.of(Field.notNullable("item", F64)));
  }

  private static Field voxels(VolumePlan plan) {
    Map<String, String> extension = new LinkedHashMap<>();
    extension.put("ARROW:extension:name", TENSOR_EXTENSION);
    String shape =
        Arrays.stream(plan.sliceShape())
            .mapToObj(Integer::toString)
            .collect(Collectors.joining(","));
    String dims = plan.channels() == 1 ? "\"row\",\"column\"" : "\"row\",\"column\",\"channel\"";
    extension.put(
        "ARROW:extension:metadata", "{\"shape\":[" + shape + "],\"dim_names\":[" + dims + "]}");
    return new Field(
        VOXELS,
        new FieldType(false, new ArrowType.FixedSizeList(plan.sliceElements()), null, extension),
        List.of(Field.notNullable("item", plan.type().arrow())));
  }

  /** Writes the volume of {@code plan} with the series' {@code metadata} to {@code out}. */
  public static void write(
      VolumePlan plan, Map<String, String> metadata, FrameSource source, OutputStream out)
      throws IOException, VolumeException {
    int n = plan.frames().size();
    try (BufferAllocator allocator = new RootAllocator();
        VectorSchemaRoot root = VectorSchemaRoot.create(schema(plan), allocator)) {
      root.allocateNew();
      for (int k = 0; k < n; k++) {
        FrameInfo f = plan.frames().get(k);
        ints(root, "slice_index", k, k);
        floats(
            root,
            "slice_position_mm",
            k,
            plan.slicePositions() == null ? null : plan.slicePositions()[k]);
        list(root, "image_position_patient", k, f.positioned() ? f.position() : null);
        ints(root, "acquisition_index", k, plan.acquisitionIndex()[k]);
        ints(root, "instance_number", k, f.instanceNumber());
        ints(root, "frame_number", k, f.frameNumber());
        text(root, "SOPInstanceUID", k, f.sopInstanceUid());
        floats(root, "rescale_slope", k, f.slope());
        floats(root, "rescale_intercept", k, f.intercept());
        for (String keyword : DicomFrames.METADATA) {
          text(root, keyword, k, metadata.get(keyword));
        }
        text(root, "geometry", k, plan.geometry());
        list(root, "image_orientation_patient", k, plan.orientation());
        list(root, "pixel_spacing_mm", k, plan.pixelSpacing());
        floats(root, "slice_spacing_mm", k, plan.sliceSpacing());
        list(root, "origin", k, plan.origin());
      }
      fillVoxels(plan, source, (FixedSizeListVector) root.getVector(VOXELS));
      root.getFieldVectors().forEach(v -> v.setValueCount(n));
      root.setRowCount(n);
      try (ArrowFileWriter writer = new ArrowFileWriter(root, null, Channels.newChannel(out))) {
        writer.start();
        writer.writeBatch();
        writer.end();
      }
    }
  }

  private static void fillVoxels(VolumePlan plan, FrameSource source, FixedSizeListVector voxels)
      throws IOException, VolumeException {
    int n = plan.frames().size();
    int per = plan.sliceElements();
    long total = (long) n * per;
    VoxelType type = plan.type();
    BaseFixedWidthVector child = (BaseFixedWidthVector) voxels.getDataVector();
    while (voxels.getValueCapacity() < n) {
      voxels.reAlloc();
    }
    child.allocateNew((int) total);
    ArrowBuf data = child.getDataBuffer();
    child.getValidityBuffer().setOne(0L, (total + 7) / 8);
    for (int k = 0; k < n; k++) {
      voxels.setNotNull(k);
      FrameInfo f = plan.frames().get(k);
      int[] stored = source.stored(f);
      double slope = f.slope();
      double intercept = f.intercept();
      long base = (long) k * per;
      for (int i = 0; i < per; i++) {
        double v = stored[i] * slope + intercept;
        long at = (base + i) * type.bytes();
        switch (type) {
          case UINT8 -> data.setByte(at, (byte) Math.round(v));
          case INT16, UINT16 -> data.setShort(at, (short) Math.round(v));
          case INT32 -> data.setInt(at, (int) Math.round(v));
          case FLOAT32 -> data.setFloat(at, (float) v);
        }
      }
    }
    child.setValueCount((int) total);
  }

  private static void ints(VectorSchemaRoot root, String name, int row, Integer value) {
    IntVector v = (IntVector) root.getVector(name);
    if (value == null) {
      v.setNull(row);
    } else {
      v.setSafe(row, value);
    }
  }

  private static void floats(VectorSchemaRoot root, String name, int row, Double value) {
    Float8Vector v = (Float8Vector) root.getVector(name);
    if (value == null) {
      v.setNull(row);
    } else {
      v.setSafe(row, value);
    }
  }

  private static void text(VectorSchemaRoot root, String name, int row, String value) {
    VarCharVector v = (VarCharVector) root.getVector(name);
    if (value == null) {
      v.setNull(row);
    } else {
      v.setSafe(row, value.getBytes(StandardCharsets.UTF_8));
    }
  }

  private static void list(VectorSchemaRoot root, String name, int row, double[] values) {
    FixedSizeListVector v = (FixedSizeListVector) root.getVector(name);
    while (v.getValueCapacity() <= row) {
      v.reAlloc();
    }
    if (values == null) {
      v.setNull(row);
      return;
    }
    v.setNotNull(row);
    Float8Vector child = (Float8Vector) v.getDataVector();
    int size = v.getListSize();
    for (int j = 0; j < size; j++) {
      child.setSafe(row * size + j, values[j]);
    }
    child.setValueCount(Math.max(child.getValueCount(), (row + 1) * size));
  }
}
