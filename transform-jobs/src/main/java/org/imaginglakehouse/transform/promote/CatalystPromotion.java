package org.imaginglakehouse.transform.promote;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.catalyst.CatalystTypeConverters;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.catalyst.util.ArrayData;
import org.apache.spark.sql.catalyst.util.MapData;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.BooleanType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DateType;
import org.apache.spark.sql.types.DoubleType;
import org.apache.spark.sql.types.IntegerType;
import org.apache.spark.sql.types.LongType;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.types.TimestampNTZType;
import org.apache.spark.sql.types.TimestampType;
import org.apache.spark.unsafe.types.UTF8String;
import scala.Function1;

/**
 * Runs a {@link RowPromoter} over Spark's internal rows: the thin Spark layer around the plain-Java
 * rules.
 *
 * <p>Input row: the plan's SQL inputs ({@link ColumnPlan.Input#sql}), the header's paths and values
 * (two arrays), then pass-through columns. Output row: the pass-through columns, copied as they
 * are, then the promoter's outputs and the malformed column names.
 *
 * <p>Why internal rows: an encoder converted every input of every row to Java objects, although a
 * row's template reads about half of them, and the header values had to be found by a SQL function
 * (which converted every header path to a Java string) in a projection too wide to be compiled with
 * the scan. Here a value is converted only when a rule reads it, and the header's paths are
 * compared as UTF-8 bytes; only the values of the wanted paths become Java strings.
 */
final class CatalystPromotion implements Serializable {
  private static final long serialVersionUID = 1L;

  private final RowPromoter promoter;
  private final StructType inputSchema;
  private final StructType outputSchema;

  /** Per promoter input: column of the input row, or -1 when the value is in the header. */
  private final int[] inputColumn;

  /** Per promoter input: index of its header path, or -1. */
  private final int[] inputHeaderPath;

  private final List<String> headerPaths;
  private final int pathsColumn;
  private final int valuesColumn;
  private final int firstPassThrough;

  /**
   * @param inputs the plan's inputs; those with SQL are the first columns of the input row, in
   *     order
   * @param headerPaths the header paths the inputs read ({@link ColumnPlan#headerPaths()})
   * @param inputSchema schema of the input row: SQL inputs, header paths, header values, then the
   *     pass-through columns
   * @param outputSchema schema of the output row: pass-through columns, outputs, malformed names
   */
  CatalystPromotion(
      RowPromoter promoter,
      List<ColumnPlan.Input> inputs,
      List<String> headerPaths,
      StructType inputSchema,
      StructType outputSchema) {
    this.promoter = promoter;
    this.headerPaths = List.copyOf(headerPaths);
    this.inputSchema = inputSchema;
    this.outputSchema = outputSchema;
    inputColumn = new int[inputs.size()];
    inputHeaderPath = new int[inputs.size()];
    int column = 0;
    for (int i = 0; i < inputs.size(); i++) {
      ColumnPlan.Input input = inputs.get(i);
      inputColumn[i] = input.fromHeader() ? -1 : column++;
      inputHeaderPath[i] = input.fromHeader() ? input.headerPath() : -1;
    }
    pathsColumn = column;
    valuesColumn = column + 1;
    firstPassThrough = column + 2;
    int passThrough = inputSchema.size() - firstPassThrough;
    if (passThrough < 0 || outputSchema.size() != passThrough + promoter.outputs() + 1) {
      throw new IllegalArgumentException(
          "Cannot promote: input schema "
              + inputSchema.simpleString()
              + " does not match output schema "
              + outputSchema.simpleString());
    }
  }

  /** The output rows of one partition (converters are built once per partition). */
  Iterator<InternalRow> apply(Iterator<InternalRow> rows) {
    Partition partition = new Partition();
    return new Iterator<>() {
      @Override
      public boolean hasNext() {
        return rows.hasNext();
      }

      @Override
      public InternalRow next() {
        return partition.promote(rows.next());
      }
    };
  }

  /** Per-partition state: converters, the header lookup, and the reusable input view. */
  final class Partition {
    private final Function1<Object, Object>[] toJava;
    private final DataType[] inputTypes;
    private final Getter[] getters;
    private final Function1<Object, Object>[] toCatalyst;
    private final int passThrough;
    private final HeaderLookup lookup = new HeaderLookup(headerPaths);
    private final View view = new View();

    @SuppressWarnings("unchecked")
    Partition() {
      inputTypes = new DataType[inputSchema.size()];
      getters = new Getter[inputSchema.size()];
      toJava = new Function1[inputSchema.size()];
      for (int c = 0; c < inputSchema.size(); c++) {
        inputTypes[c] = inputSchema.fields()[c].dataType();
        getters[c] = Getter.of(inputTypes[c]);
        // Only the SQL inputs are converted to Java (the header and pass-through are not).
        if (c < pathsColumn) {
          toJava[c] = CatalystTypeConverters.createToScalaConverter(inputTypes[c]);
        }
      }
      passThrough = inputSchema.size() - firstPassThrough;
      int outputs = outputSchema.size() - passThrough;
      toCatalyst = new Function1[outputs];
      for (int o = 0; o < outputs; o++) {
        toCatalyst[o] =
            CatalystTypeConverters.createToCatalystConverter(
                outputSchema.fields()[passThrough + o].dataType());
      }
    }

    InternalRow promote(InternalRow row) {
      view.reset(row);
      Object[] values = promoter.promote(view);
      Object[] out = new Object[passThrough + values.length];
      for (int c = 0; c < passThrough; c++) {
        int column = firstPassThrough + c;
        // Copied: the input row's buffer is reused for the next row.
        out[c] = row.isNullAt(column) ? null : getters[column].copy(row, column);
      }
      for (int o = 0; o < values.length; o++) {
        out[passThrough + o] = toCatalyst[o].apply(values[o]);
      }
      return new GenericInternalRow(out);
    }

    /** The promoter's view of one input row: values converted to Java when first read. */
    final class View implements RowPromoter.Inputs {
      private final Object[] values = new Object[inputColumn.length];
      private final boolean[] read = new boolean[inputColumn.length];
      private InternalRow row;
      private int[] positions;

      void reset(InternalRow row) {
        this.row = row;
        this.positions = null;
        Arrays.fill(read, false);
      }

      @Override
      public Object get(int i) {
        if (!read[i]) {
          values[i] = convert(i);
          read[i] = true;
        }
        return values[i];
      }

      private Object convert(int i) {
        int column = inputColumn[i];
        if (column >= 0) {
          if (row.isNullAt(column)) {
            return null;
          }
          DataType type = inputTypes[column];
          if (type instanceof StringType) {
            return row.getUTF8String(column).toString();
          }
          if (type instanceof ArrayType a && a.elementType() instanceof StringType) {
            // Arrays of text (the plan casts array inputs to array<string>): a Java list.
            return strings(row.getArray(column));
          }
          return toJava[column].apply(getters[column].copy(row, column));
        }
        if (row.isNullAt(pathsColumn) || row.isNullAt(valuesColumn)) {
          return null;
        }
        if (positions == null) {
          positions = lookup.positions(row.getArray(pathsColumn));
        }
        int position = positions[inputHeaderPath[i]];
        ArrayData entries = row.getArray(valuesColumn);
        if (position < 0 || position >= entries.numElements() || entries.isNullAt(position)) {
          return null;
        }
        return strings(entries.getArray(position));
      }
    }
  }

  /**
   * Reads one non-null column of an internal row as an independent copy, through the getter of its
   * type: the generic {@code InternalRow.get(ordinal, type)} looks the type up again (and the
   * session's configuration with it) on every call, a few percent of promote's time.
   */
  @FunctionalInterface
  interface Getter {
    Object copy(InternalRow row, int column);

    static Getter of(DataType type) {
      if (type instanceof StringType) {
        return (row, c) -> row.getUTF8String(c).clone();
      }
      if (type instanceof IntegerType || type instanceof DateType) {
        return InternalRow::getInt;
      }
      if (type instanceof LongType
          || type instanceof TimestampType
          || type instanceof TimestampNTZType) {
        return InternalRow::getLong;
      }
      if (type instanceof DoubleType) {
        return InternalRow::getDouble;
      }
      if (type instanceof BooleanType) {
        return InternalRow::getBoolean;
      }
      if (type instanceof ArrayType) {
        return (row, c) -> row.getArray(c).copy();
      }
      if (type instanceof StructType struct) {
        int fields = struct.size();
        return (row, c) -> row.getStruct(c, fields).copy();
      }
      return (row, c) -> copyOf(row.get(c, type));
    }

    private static Object copyOf(Object value) {
      if (value instanceof UTF8String s) {
        return s.clone();
      }
      if (value instanceof ArrayData a) {
        return a.copy();
      }
      if (value instanceof InternalRow r) {
        return r.copy();
      }
      if (value instanceof MapData m) {
        return m.copy();
      }
      return value;
    }
  }

  /** A string array's elements as Java strings (null elements kept). */
  static List<String> strings(ArrayData array) {
    int n = array.numElements();
    List<String> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(array.isNullAt(i) ? null : array.getUTF8String(i).toString());
    }
    return out;
  }

  /**
   * Finds wanted paths in a header's path array in one pass, comparing UTF-8 bytes (no Java string
   * per entry).
   */
  static final class HeaderLookup {
    private final Map<UTF8String, Integer> wanted = new HashMap<>();

    HeaderLookup(List<String> paths) {
      for (int i = 0; i < paths.size(); i++) {
        wanted.putIfAbsent(UTF8String.fromString(paths.get(i)), i);
      }
    }

    /**
     * 0-based position in {@code paths} of each wanted path, -1 where absent; the first entry wins
     * when a path repeats.
     */
    int[] positions(ArrayData paths) {
      int[] positions = new int[wanted.size()];
      Arrays.fill(positions, -1);
      int found = 0;
      int n = paths.numElements();
      for (int i = 0; i < n && found < positions.length; i++) {
        if (paths.isNullAt(i)) {
          continue;
        }
        Integer slot = wanted.get(paths.getUTF8String(i));
        if (slot != null && positions[slot] < 0) {
          positions[slot] = i;
          found++;
        }
      }
      return positions;
    }
  }
}
