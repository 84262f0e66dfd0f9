package org.imaginglakehouse.transform.promote;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.imaginglakehouse.core.config.LakehouseConfig;
import org.imaginglakehouse.core.job.JobOptions;
import org.imaginglakehouse.core.testing.SparkTestBase;
import org.imaginglakehouse.core.zone.Zone;
import org.imaginglakehouse.core.zone.ZoneLayout;
import org.imaginglakehouse.transform.pseudonym.PseudonymConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Benchmark harness (not a unit test: it runs only with {@code -Dpromote.bench.rows=N}). It
 * synthesises N {@code identifiable.instances} rows directly in Spark — contract columns plus a
 * header array of ~60 entries per instance (the template attributes, a sequence, and private
 * filler) — instead of ingesting N files, then times a full promotion and a no-op re-run and prints
 * image rows/s. Command and results: docs/benchmarks.md.
 */
@EnabledIfSystemProperty(named = "promote.bench.rows", matches = "\\d+")
class PromoteBench extends SparkTestBase {
  @Test
  void promoteThroughput() {
    long n = Long.parseLong(System.getProperty("promote.bench.rows"));
    LakehouseConfig config = newHomeConfig("bench");
    ZoneLayout layout = ZoneLayout.from(config);
    String series = "(id DIV 100)";
    Dataset<Row> base =
        spark()
            .range(n)
            .selectExpr(
                "id",
                "concat('1.2.826.0.1.3680043.9.9.', id) AS SOPInstanceUID",
                "concat('1.2.826.0.1.3680043.9.7.', id DIV 300) AS StudyInstanceUID",
                "concat('1.2.826.0.1.3680043.9.8.', " + series + ") AS SeriesInstanceUID",
                "lpad(cast(1000000000 + (id DIV 600) AS string), 10, '0') AS PatientID",
                "CASE WHEN "
                    + series
                    + " % 10 < 7 THEN 'CT' WHEN "
                    + series
                    + " % 10 < 9 THEN 'MR' ELSE 'US' END AS Modality");
    Dataset<Row> instances =
        base.selectExpr(
            "SOPInstanceUID",
            "CASE Modality WHEN 'CT' THEN '1.2.840.10008.5.1.4.1.1.2' WHEN 'MR' THEN"
                + " '1.2.840.10008.5.1.4.1.1.4' ELSE '1.2.840.10008.5.1.4.1.1.6.1' END AS SOPClassUID",
            "StudyInstanceUID",
            "SeriesInstanceUID",
            "PatientID",
            "concat('SURNAME', id DIV 600, '^Given') AS PatientName",
            "'19600101' AS PatientBirthDate",
            "CASE WHEN id % 2 = 0 THEN 'F' ELSE 'M' END AS PatientSex",
            "lpad(cast(20 + (id DIV 600) % 70 AS string), 3, '0') || 'Y' AS PatientAge",
            "Modality",
            "'20200115' AS StudyDate",
            "'093000' AS StudyTime",
            "'20200115' AS SeriesDate",
            "'093500' AS SeriesTime",
            "concat('ACC', id DIV 300) AS AccessionNumber",
            "'SIEMENS' AS Manufacturer",
            "'SOMATOM' AS ManufacturerModelName",
            "'Ninewells Hospital' AS InstitutionName",
            "CASE WHEN id % 33 = 0 THEN array('DERIVED', 'SECONDARY') ELSE array('ORIGINAL',"
                + " 'PRIMARY', 'AXIAL') END AS ImageType",
            "'HEAD' AS BodyPartExamined",
            "'CT HEAD' AS StudyDescription",
            "'Head 5.0' AS SeriesDescription",
            "'NO' AS BurnedInAnnotation",
            "'1.2.840.10008.1.2.1' AS TransferSyntaxUID",
            "'ISO_IR 100' AS SpecificCharacterSet",
            "cast(" + series + " % 20 AS int) AS SeriesNumber",
            "cast(id % 100 AS int) AS InstanceNumber",
            "8 AS Rows",
            "8 AS Columns",
            "1 AS NumberOfFrames",
            "1 AS SamplesPerPixel",
            "16 AS BitsAllocated",
            "12 AS BitsStored",
            "11 AS HighBit",
            "0 AS PixelRepresentation",
            "'MONOCHROME2' AS PhotometricInterpretation",
            "1024L AS pixel_data_offset",
            "128L AS pixel_data_length",
            "'OW' AS pixel_data_vr",
            "concat('/pacs/', id, '.dcm') AS file_path",
            "1152L AS file_size",
            "timestamp'2020-01-01 00:00:00' AS file_modified",
            "sha1(cast(id AS string)) AS file_checksum",
            "'bench' AS ingest_run_id",
            "timestamp'2020-01-02 00:00:00' AS ingest_time",
            "concat(array("
                + entry("00180060", "KVP", "DS", "'120'")
                + ", "
                + entry("00180050", "SliceThickness", "DS", "'5.0'")
                + ", "
                + entry("00201041", "SliceLocation", "DS", "cast(id % 100 AS string)")
                + ", "
                + entry("00181150", "ExposureTime", "DS", "'1000'")
                + ", "
                + entry("00181151", "XRayTubeCurrent", "IS", "'250'")
                + ", "
                + entry("00181030", "ProtocolName", "LO", "'Head routine'")
                + ", "
                + entry("00081032", "ProcedureCodeSequence", "SQ", "'1'")
                + ", "
                + entry("00081032[0].00080100", "CodeValue", "SH", "'CTHEAD'")
                + ", "
                + entry(
                    "00200032",
                    "ImagePositionPatient",
                    "DS",
                    "'-125', '-125.5', cast(id % 100 AS string)")
                + ", "
                + entry("00280030", "PixelSpacing", "DS", "'0.5'")
                + ", "
                + entry("00080032", "AcquisitionTime", "TM", "'093512.25'")
                + ", "
                + entry("00181020", "SoftwareVersions", "LO", "'VA40'")
                + ", "
                + entry("00180081", "EchoTime", "DS", "'4.5'")
                + ", "
                + entry("00100010", "PatientName", "PN", "concat('SURNAME', id DIV 600, '^Given')")
                + ", "
                + entry("00101040", "PatientAddress", "LO", "'1 High Street'")
                + "), transform(sequence(1, 45), i -> named_struct('path', concat('0009',"
                + " lpad(hex(4096 + i), 4, '0')), 'tag', concat('0009', lpad(hex(4096 + i), 4,"
                + " '0')), 'keyword', CAST(NULL AS STRING), 'vr', 'LO', 'private_creator',"
                + " 'BENCH', 'values', array(concat('private value ', i)), 'binary', CAST(NULL AS"
                + " BINARY)))) AS header");
    long t0 = System.nanoTime();
    // One file per generating task, as ingest writes (the session's optimized write would shuffle
    // every row into one file, and promote would then read it on one core).
    instances
        .write()
        .format("delta")
        .mode("overwrite")
        .option("optimizeWrite", "false")
        .save(layout.table(Zone.IDENTIFIABLE, "instances"));
    long generated = System.nanoTime() - t0;
    String mapping = layout.home() + "/mapping";
    base.selectExpr("PatientID AS chi", "concat('EUPI', PatientID) AS eupi")
        .distinct()
        .write()
        .format("delta")
        .save(mapping);
    LakehouseConfig c =
        config.with(PseudonymConfig.SOURCE, "delta").with(PseudonymConfig.LOCATION, mapping);
    Map<String, String> options = new LinkedHashMap<>();
    long t1 = System.nanoTime();
    long cpu1 = processCpuNanos();
    PromoteJob.Result full =
        new PromoteJob(spark(), c, JobOptions.of(c, PromoteJob.NAME, options), Map.of()).execute();
    double fullSeconds = (System.nanoTime() - t1) / 1e9;
    // CPU time of this JVM (all threads): less sensitive than wall time to other load.
    double fullCpuSeconds = (processCpuNanos() - cpu1) / 1e9;
    long t2 = System.nanoTime();
    PromoteJob.Result noop =
        new PromoteJob(spark(), c, JobOptions.of(c, PromoteJob.NAME, options), Map.of()).execute();
    double noopSeconds = (System.nanoTime() - t2) / 1e9;
    System.out.printf(
        "PROMOTE BENCH rows=%d generate_s=%.1f full_s=%.1f full_cpu_s=%.1f image_rows_per_s=%.0f"
            + " instances_per_s=%.0f promoted=%d rejected=%d noop_s=%.1f%n%s%n%s%n",
        n,
        generated / 1e9,
        fullSeconds,
        fullCpuSeconds,
        full.promoted() / fullSeconds,
        n / fullSeconds,
        full.promoted(),
        full.rejected(),
        noopSeconds,
        full.summary(),
        noop.summary());
    List<Row> check =
        spark()
            .read()
            .format("delta")
            .load(layout.table(Zone.DEIDENTIFIED, "image"))
            .groupBy()
            .count()
            .collectAsList();
    System.out.println("PROMOTE BENCH image table rows: " + check.get(0).getLong(0));
    String dump = System.getProperty("promote.bench.dump");
    if (dump != null) {
      dump(layout, dump);
    }
  }

  /**
   * Writes every table promote wrote as sorted JSON under {@code dir} (one directory per table), so
   * that two versions of the job can be compared row by row with {@code diff -r}.
   */
  private void dump(ZoneLayout layout, String dir) {
    Map<Zone, List<String>> tables =
        Map.of(
            Zone.DEIDENTIFIED,
            List.of("study", "series", "image", "promotion_quality", "promotion_rejection_counts"),
            Zone.IDENTIFIABLE,
            List.of("promotion_rejections", "promotion_state"));
    tables.forEach(
        (zone, names) -> {
          for (String t : names) {
            Dataset<Row> rows =
                spark().read().format("delta").load(layout.table(zone, t)).drop("run_id");
            String[] columns = rows.columns();
            try {
              java.nio.file.Files.createDirectories(java.nio.file.Path.of(dir));
              java.nio.file.Files.writeString(
                  java.nio.file.Path.of(dir, t + ".schema.json"), rows.schema().prettyJson());
            } catch (java.io.IOException e) {
              throw new java.io.UncheckedIOException(e);
            }
            rows.repartition(1)
                .sortWithinPartitions(
                    columns[0], java.util.Arrays.copyOfRange(columns, 1, columns.length))
                .write()
                .mode("overwrite")
                .json(dir + "/" + t);
          }
        });
  }

  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean)
            java.lang.management.ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  private static String entry(String path, String keyword, String vr, String value) {
    return "named_struct('path', '"
        + path
        + "', 'tag', '"
        + path.substring(path.length() - 8)
        + "', 'keyword', '"
        + keyword
        + "', 'vr', '"
        + vr
        + "', 'private_creator', CAST(NULL AS STRING), 'values', array("
        + value
        + "), 'binary', CAST(NULL AS BINARY))";
  }
}
