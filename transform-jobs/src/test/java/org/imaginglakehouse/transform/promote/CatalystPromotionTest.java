package org.imaginglakehouse.transform.promote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.catalyst.expressions.UnsafeProjection;
import org.apache.spark.sql.catalyst.util.ArrayData;
import org.apache.spark.sql.catalyst.util.GenericArrayData;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.unsafe.types.UTF8String;
import org.imaginglakehouse.schemas.inventory.OutputColumn;
import org.imaginglakehouse.schemas.inventory.ValueType;
import org.junit.jupiter.api.Test;

/**
 * The Spark layer of the promoter on Spark's internal rows (no session needed): header values found
 * by path, values converted only when a rule reads them, pass-through columns copied, outputs
 * converted to Spark's types.
 */
class CatalystPromotionTest {
  private static final StructType INPUT =
      new StructType()
          // SQL inputs: template, the four identity values, a typed INT column, an array column
          .add("_in_0", DataTypes.StringType)
          .add("_in_1", DataTypes.StringType)
          .add("_in_2", DataTypes.StringType)
          .add("_in_3", DataTypes.StringType)
          .add("_in_4", DataTypes.StringType)
          .add("_in_5", DataTypes.IntegerType)
          .add("_in_8", DataTypes.createArrayType(DataTypes.StringType))
          .add("_header_paths", DataTypes.createArrayType(DataTypes.StringType))
          .add(
              "_header_values",
              DataTypes.createArrayType(DataTypes.createArrayType(DataTypes.StringType)))
          .add("SOPInstanceUID", DataTypes.StringType)
          .add("file_size", DataTypes.LongType);

  /** Inputs 0–5 and 8 are SQL columns; 6 and 7 are header paths 0 and 1. */
  private static final List<ColumnPlan.Input> INPUTS =
      List.of(
          new ColumnPlan.Input("`InventoryTemplate`", -1),
          new ColumnPlan.Input("PatientName", -1),
          new ColumnPlan.Input("PatientID", -1),
          new ColumnPlan.Input("PatientBirthDate", -1),
          new ColumnPlan.Input("AccessionNumber", -1),
          new ColumnPlan.Input("cast(SeriesNumber as int)", -1),
          new ColumnPlan.Input(null, 0),
          new ColumnPlan.Input(null, 1),
          new ColumnPlan.Input("cast(ImageType as array<string>)", -1));

  private static final List<String> HEADER_PATHS = List.of("00180050", "00081032[0].00080100");

  private static final StructType OUTPUT =
      new StructType()
          .add("SOPInstanceUID", DataTypes.StringType)
          .add("file_size", DataTypes.LongType)
          .add("SeriesNumber", DataTypes.IntegerType)
          .add("SliceThickness", DataTypes.DoubleType)
          .add("ProcedureCode", DataTypes.StringType)
          .add("AcquisitionDate", DataTypes.DateType)
          .add("ImageType", DataTypes.createArrayType(DataTypes.StringType))
          .add(ColumnPlan.MALFORMED, DataTypes.createArrayType(DataTypes.StringType), false);

  private static RowPromoter.Slot slot(int i, String name, ValueType type, boolean array) {
    return RowPromoter.Slot.of(i, new OutputColumn(name, type, array));
  }

  private static RowPromoter promoter(List<RowPromoter.Rule> extra) {
    List<RowPromoter.Rule> rules = new ArrayList<>();
    rules.add(
        new RowPromoter.Typed(
            null,
            new RowPromoter.Source(5, false, 5),
            false,
            ValueType.INT,
            "SeriesNumber",
            slot(0, "SeriesNumber", ValueType.INT, false)));
    rules.add(
        new RowPromoter.Typed(
            Set.of("CT"),
            new RowPromoter.Source(6, true, -1),
            false,
            ValueType.DOUBLE,
            "SliceThickness",
            slot(1, "SliceThickness", ValueType.DOUBLE, false)));
    rules.add(
        new RowPromoter.Typed(
            Set.of("CT"),
            new RowPromoter.Source(7, true, -1),
            false,
            ValueType.STRING,
            "ProcedureCode",
            slot(2, "ProcedureCode", ValueType.STRING, false)));
    rules.addAll(extra);
    rules.add(
        new RowPromoter.Typed(
            null,
            new RowPromoter.Source(8, true, -1),
            true,
            ValueType.STRING,
            "ImageType",
            slot(4, "ImageType", ValueType.STRING, true)));
    return new RowPromoter(rules, INPUTS.size(), 5);
  }

  private static UTF8String s(String value) {
    return value == null ? null : UTF8String.fromString(value);
  }

  private static GenericArrayData strings(String... values) {
    return new GenericArrayData(Arrays.stream(values).map(CatalystPromotionTest::s).toArray());
  }

  /** An input row as Spark hands it over: an UnsafeRow. */
  private static InternalRow row(
      String template, Integer seriesNumber, ArrayData paths, ArrayData values) {
    GenericInternalRow row =
        new GenericInternalRow(
            new Object[] {
              s(template),
              s("SMITH^JOHN"),
              s("0101701234"),
              s("19700101"),
              s("ACC1"),
              seriesNumber,
              strings("ORIGINAL", "PRIMARY"),
              paths,
              values,
              s("1.2.3.4"),
              1234L
            });
    return UnsafeProjection.create(INPUT).apply(row).copy();
  }

  private static InternalRow promote(CatalystPromotion promotion, InternalRow in) {
    Iterator<InternalRow> out = promotion.apply(List.of(in).iterator());
    return out.next();
  }

  @Test
  void headerValuesAreFoundByPathAndTypedWithTheRest() {
    CatalystPromotion promotion =
        new CatalystPromotion(promoter(List.of()), INPUTS, HEADER_PATHS, INPUT, OUTPUT);
    InternalRow out =
        promote(
            promotion,
            row(
                "CT",
                7,
                strings("00080060", "00081032[0].00080100", "00180050", "00180050"),
                new GenericArrayData(
                    new Object[] {
                      strings("CT"), strings("CODE1"), strings(" 2.5 "), strings("9")
                    })));
    assertThat(out.getUTF8String(0).toString()).isEqualTo("1.2.3.4");
    assertThat(out.getLong(1)).isEqualTo(1234L);
    assertThat(out.getInt(2)).isEqualTo(7);
    // The first of two entries with one path wins.
    assertThat(out.getDouble(3)).isEqualTo(2.5);
    assertThat(out.getUTF8String(4).toString()).isEqualTo("CODE1");
    assertThat(out.isNullAt(5)).isTrue();
    assertThat(CatalystPromotion.strings(out.getArray(6))).containsExactly("ORIGINAL", "PRIMARY");
    assertThat(out.getArray(7).numElements()).isZero();
    // The output converts to Spark's row format (as the cache and writers need it).
    assertThat(UnsafeProjection.create(OUTPUT).apply(out).getDouble(3)).isEqualTo(2.5);
  }

  @Test
  void absentHeaderPathsNullHeadersAndMalformedHeaderValuesBecomeNull() {
    CatalystPromotion promotion =
        new CatalystPromotion(promoter(List.of()), INPUTS, HEADER_PATHS, INPUT, OUTPUT);
    InternalRow absent =
        promote(
            promotion,
            row(
                "CT",
                null,
                strings("00080060", "00180050"),
                new GenericArrayData(new Object[] {strings("CT"), strings("abc")})));
    assertThat(absent.isNullAt(2)).isTrue();
    assertThat(absent.isNullAt(3)).isTrue();
    assertThat(absent.isNullAt(4)).isTrue();
    assertThat(CatalystPromotion.strings(absent.getArray(7))).containsExactly("SliceThickness");

    InternalRow noHeader = promote(promotion, row("CT", 3, null, null));
    assertThat(noHeader.getInt(2)).isEqualTo(3);
    assertThat(noHeader.isNullAt(3)).isTrue();
    assertThat(noHeader.getArray(7).numElements()).isZero();
  }

  @Test
  void aValueIsConvertedOnceAndOnlyForTheRulesOfTheRowsTemplate() {
    AtomicInteger headerReads = new AtomicInteger();
    RowPromoter.Rule readsTwice =
        new RowPromoter.Rule(Set.of("CT")) {
          @Override
          void apply(RowPromoter.Inputs in, RowPromoter.Cells cells, List<String> malformed) {
            assertThat(in.get(6)).isNotNull().isSameAs(in.get(6));
            assertThat(in.get(8)).isNotNull().isSameAs(in.get(8));
            headerReads.incrementAndGet();
          }
        };
    CatalystPromotion promotion =
        new CatalystPromotion(promoter(List.of(readsTwice)), INPUTS, HEADER_PATHS, INPUT, OUTPUT);
    // An MR row: the CT rules do not run, so its header is never looked up.
    InternalRow mr = promote(promotion, row("MR", 5, strings("00180050"), null));
    assertThat(mr.getInt(2)).isEqualTo(5);
    assertThat(mr.isNullAt(3)).isTrue();
    assertThat(headerReads).hasValue(0);
    promote(
        promotion,
        row("CT", 5, strings("00180050"), new GenericArrayData(new Object[] {strings("1")})));
    assertThat(headerReads).hasValue(1);
  }

  @Test
  void datesLeaveAsSparkDays() {
    RowPromoter.Rule date =
        new RowPromoter.Typed(
            null,
            new RowPromoter.Source(3, false, -1),
            false,
            ValueType.DATE,
            "AcquisitionDate",
            slot(3, "AcquisitionDate", ValueType.DATE, false));
    CatalystPromotion promotion =
        new CatalystPromotion(promoter(List.of(date)), INPUTS, HEADER_PATHS, INPUT, OUTPUT);
    InternalRow out = promote(promotion, row("CT", 1, null, null));
    assertThat(out.getInt(5)).isEqualTo((int) LocalDate.of(1970, 1, 1).toEpochDay());
  }

  @Test
  void headerLookupKeepsTheFirstEntryAndMarksAbsentPaths() {
    CatalystPromotion.HeaderLookup lookup =
        new CatalystPromotion.HeaderLookup(List.of("00180060", "00080060", "00100010"));
    GenericArrayData paths =
        new GenericArrayData(
            new Object[] {s("00080060"), null, s("00180060"), s("00080060"), s("00280010")});
    assertThat(lookup.positions(paths)).containsExactly(2, 0, -1);
  }

  @Test
  void mismatchedSchemasAreRefused() {
    assertThatThrownBy(
            () ->
                new CatalystPromotion(
                    promoter(List.of()), INPUTS, HEADER_PATHS, INPUT, OUTPUT.add("extra", "int")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Cannot promote");
  }
}
