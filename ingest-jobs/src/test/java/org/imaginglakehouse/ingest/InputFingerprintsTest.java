package org.imaginglakehouse.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.imaginglakehouse.core.testing.SparkTestBase;
import org.junit.jupiter.api.Test;

class InputFingerprintsTest extends SparkTestBase {

  @Test
  void theDriversFingerprintsEqualSparkSqlsForFilesAndArchiveEntries() {
    StructType index =
        new StructType()
            .add("file_path", DataTypes.StringType)
            .add("archive_path", DataTypes.StringType)
            .add("file_size", DataTypes.LongType)
            .add("container_size", DataTypes.LongType)
            .add("file_modified", DataTypes.TimestampType)
            .add("container_modified", DataTypes.TimestampType)
            .add("status", DataTypes.StringType)
            .add("error_class", DataTypes.StringType);
    java.sql.Timestamp fileTime = java.sql.Timestamp.valueOf("2026-11-30 12:00:00.123456");
    java.sql.Timestamp zipTime = java.sql.Timestamp.valueOf("2025-01-02 03:04:05.5");
    List<Row> rows =
        List.of(
            RowFactory.create(
                "/pacs/Müller/ßtudy/1.dcm", null, 1234L, null, fileTime, null, "ok", null),
            RowFactory.create(
                "/pacs/a.zip!x/1.dcm", "/pacs/a.zip", 99L, 5_000_000L, null, zipTime, "ok", null),
            RowFactory.create(
                "/pacs/gone.dcm", null, null, null, null, null, "error", "unreadable"));
    List<Row> sql =
        spark()
            .createDataFrame(rows, index)
            .selectExpr(
                InputFingerprints.PATH_SQL,
                InputFingerprints.SIGNATURE_SQL,
                "unix_micros(file_modified)")
            .collectAsList();

    long file = InputFingerprints.path("/pacs/Müller/ßtudy/1.dcm");
    assertThat(sql.get(0).getLong(0)).isEqualTo(file);
    assertThat(sql.get(0).getLong(1))
        .isEqualTo(InputFingerprints.signature(file, 1234L, sql.get(0).getLong(2)));
    assertThat(sql.get(0).getLong(1))
        .isNotEqualTo(InputFingerprints.signature(file, 1235L, sql.get(0).getLong(2)));
    // An archive entry stands for its archive: the archive's path, size and time.
    long archive = InputFingerprints.path("/pacs/a.zip");
    assertThat(sql.get(1).getLong(0)).isEqualTo(archive);
    assertThat(sql.get(1).getLong(1))
        .isEqualTo(InputFingerprints.signature(archive, 5_000_000L, zipTime.getTime() * 1_000L));
    // An unreadable file has no signature: it is read again on every run.
    assertThat(sql.get(2).getLong(0)).isEqualTo(InputFingerprints.path("/pacs/gone.dcm"));
    assertThat(sql.get(2).isNullAt(1)).isTrue();
  }

  @Test
  void occurrencesCountsEveryCopyOfAKey() {
    long[] sorted = {-5, 1, 3, 3, 3, 8, 8};
    assertThat(InputFingerprints.occurrences(sorted, 3)).isEqualTo(3);
    assertThat(InputFingerprints.occurrences(sorted, 8)).isEqualTo(2);
    assertThat(InputFingerprints.occurrences(sorted, -5)).isEqualTo(1);
    assertThat(InputFingerprints.occurrences(sorted, 2)).isZero();
    assertThat(InputFingerprints.occurrences(new long[0], 2)).isZero();
  }
}
