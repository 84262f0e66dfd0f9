package org.imaginglakehouse.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.imaginglakehouse.core.testing.SparkTestBase;
import org.junit.jupiter.api.Test;

class InputFingerprintsTest extends SparkTestBase {

  @Test
  void indexRowsAndListedInputsGetTheSameFingerprints() {
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
                "/pacs/a.zip!x/2.dcm", "/pacs/a.zip", 98L, 5_000_000L, null, zipTime, "ok", null),
            RowFactory.create(
                "/pacs/gone.dcm", null, null, null, null, null, "error", "unreadable"),
            RowFactory.create(
                "/pacs/locked.dcm", null, 10L, null, fileTime, null, "error", "unreadable"));
    String table = tempDir.resolve("fingerprint-index").toString();
    spark().createDataFrame(rows, index).write().format("delta").save(table);
    Configuration conf = spark().sparkContext().hadoopConfiguration();

    long file = InputFingerprints.path("/pacs/Müller/ßtudy/1.dcm");
    long archive = InputFingerprints.path("/pacs/a.zip");
    long gone = InputFingerprints.path("/pacs/gone.dcm");
    long locked = InputFingerprints.path("/pacs/locked.dcm");
    List<String> scopes = List.of("/pacs/");
    IndexFingerprints read =
        IndexFingerprints.read(conf, table, sorted(file, archive, gone, locked), scopes);

    long fileMicros = micros(fileTime);
    assertThat(read.paths()).isEqualTo(sorted(file, archive, archive, gone, locked));
    // An archive entry stands for its archive: the archive's path, size and time. An unreadable
    // file has no signature: it is read again on every run.
    long archiveSignature = InputFingerprints.signature(archive, 5_000_000L, micros(zipTime));
    assertThat(read.signatures())
        .isEqualTo(
            sorted(
                InputFingerprints.signature(file, 1234L, fileMicros),
                archiveSignature,
                archiveSignature));
    assertThat(read.signatures())
        .doesNotContain(InputFingerprints.signature(file, 1235L, fileMicros))
        .doesNotContain(InputFingerprints.signature(file, 1234L, fileMicros + 1));

    // Inputs the listing no longer holds are named only under the listed directories.
    assertThat(read.unlisted()).isEmpty();
    assertThat(IndexFingerprints.read(conf, table, sorted(file, locked), scopes).unlisted())
        .containsExactly("/pacs/a.zip", "/pacs/gone.dcm");
    assertThat(
            IndexFingerprints.read(conf, table, sorted(file, locked), List.of("/other/"))
                .unlisted())
        .isEmpty();
  }

  private static long micros(java.sql.Timestamp t) {
    return Math.floorDiv(t.getTime(), 1000L) * 1_000_000L + t.getNanos() / 1000;
  }

  private static long[] sorted(long... values) {
    long[] out = values.clone();
    java.util.Arrays.sort(out);
    return out;
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
