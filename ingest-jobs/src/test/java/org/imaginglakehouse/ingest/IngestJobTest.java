package org.imaginglakehouse.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.pixelmed.dicom.TagFromName;
import io.delta.tables.DeltaTable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.parquet.column.Encoding;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.imaginglakehouse.core.config.LakehouseConfig;
import org.imaginglakehouse.core.job.JobStatus;
import org.imaginglakehouse.core.testing.SparkTestBase;
import org.imaginglakehouse.core.zone.Zone;
import org.imaginglakehouse.core.zone.ZoneLayout;
import org.imaginglakehouse.ingest.testing.DcmDump;
import org.imaginglakehouse.ingest.testing.DicomFixture;
import org.imaginglakehouse.ingest.testing.PacsFixture;
import org.junit.jupiter.api.Test;

class IngestJobTest extends SparkTestBase {

  private static IngestResult ingest(
      LakehouseConfig config, String source, Map<String, String> more) {
    return new IngestJob(spark(), config, IngestJob.options(config, source, more)).execute();
  }

  private static Map<String, String> outcomes(ZoneLayout layout) {
    Map<String, String> actual = new HashMap<>();
    for (Row r :
        spark()
            .read()
            .format("delta")
            .load(layout.table(Zone.IDENTIFIABLE, "instances"))
            .select("file_path")
            .collectAsList()) {
      actual.merge(r.getString(0), "instance", (a, b) -> a + "+" + b);
    }
    for (Row r :
        spark()
            .read()
            .format("delta")
            .load(layout.table(Zone.IDENTIFIABLE, "ingest_errors"))
            .select("file_path", "error_class")
            .collectAsList()) {
      actual.merge(r.getString(0), r.getString(1), (a, b) -> a + "+" + b);
    }
    for (Row r :
        spark()
            .read()
            .format("delta")
            .load(layout.table(Zone.IDENTIFIABLE, "file_index"))
            .where("status = 'skipped'")
            .select("file_path")
            .collectAsList()) {
      actual.merge(r.getString(0), "skipped", (a, b) -> a + "+" + b);
    }
    return actual;
  }

  private static long version(String table) {
    return DeltaTable.forPath(spark(), table).history(1).select("version").first().getLong(0);
  }

  @Test
  void directoryTreeIsIngestedCompletelyIncrementallyAndIdempotently() throws Exception {
    PacsFixture pacs = PacsFixture.build(tempDir.resolve("pacs"));
    LakehouseConfig config = newHomeConfig("home-dir");
    ZoneLayout layout = ZoneLayout.from(config);

    IngestResult first = ingest(config, pacs.root.toString(), Map.of());

    // Every file accounted for exactly once, with the right class.
    assertThat(first.status()).isEqualTo(JobStatus.COMPLETED_WITH_REJECTIONS);
    assertThat(outcomes(layout)).isEqualTo(pacs.expected);
    assertThat(first.inputs()).isEqualTo(pacs.expected.size());
    assertThat(first.accountedFor()).isTrue();
    assertThat(first.instances()).isEqualTo(pacs.count("instance"));
    assertThat(first.duplicates()).isEqualTo(1);
    assertThat(first.skipped()).isEqualTo(1);
    // The console adds up: inputs = instances + ingest_errors rows + skipped (the DICOMDIR, which
    // is only in file_index), and listed = inputs when no zip is among them.
    long errorRows =
        spark()
            .read()
            .format("delta")
            .load(layout.table(Zone.IDENTIFIABLE, "ingest_errors"))
            .count();
    long skippedRows =
        spark()
            .read()
            .format("delta")
            .load(layout.table(Zone.IDENTIFIABLE, "file_index"))
            .where("status = 'skipped'")
            .count();
    assertThat(first.duplicates() + first.rejected()).isEqualTo(errorRows);
    assertThat(first.skipped()).isEqualTo(skippedRows);
    assertThat(first.inputs()).isEqualTo(first.instances() + errorRows + first.skipped());
    // A zip is listed once and read as one input per entry.
    long entries = pacs.expected.keySet().stream().filter(p -> p.contains("!")).count();
    long archives =
        pacs.expected.keySet().stream()
            .filter(p -> p.contains("!"))
            .map(p -> p.substring(0, p.indexOf('!')))
            .distinct()
            .count();
    assertThat(first.count(IngestResult.LISTED))
        .isEqualTo(first.instances() + errorRows + first.skipped() - entries + archives);
    assertThat(first.summary()).containsPattern("\\n  skipped +1\\n");
    assertThat(first.count("rejected.not_dicom")).isEqualTo(pacs.count("not_dicom"));
    assertThat(first.count("rejected.truncated")).isEqualTo(1);
    // The console shows the first rejections of the run by class and the SHA-256 of their path
    // (a PACS copy names folders after accession numbers and patients: no path, nothing from the
    // headers) and the query that lists them all.
    String root = pacs.root.toString() + "/";
    List<String> firstPaths =
        pacs.expected.entrySet().stream()
            .filter(e -> !List.of("instance", "skipped").contains(e.getValue()))
            .map(Map.Entry::getKey)
            .sorted()
            .limit(5)
            .toList();
    List<String> firstFive =
        firstPaths.stream()
            .map(
                path ->
                    "    "
                        + pacs.expected.get(path)
                        + ": file_path SHA-256 "
                        + org.imaginglakehouse.core.Sha256.hex(path).substring(0, 12)
                        + "\u2026")
            .toList();
    // The prefix finds the file in ingest_errors.
    String prefix = org.imaginglakehouse.core.Sha256.hex(firstPaths.get(0)).substring(0, 12);
    assertThat(
            spark()
                .read()
                .format("delta")
                .load(layout.table(Zone.IDENTIFIABLE, "ingest_errors"))
                .where("sha2(file_path, 256) LIKE '" + prefix + "%'")
                .select("file_path")
                .as(org.apache.spark.sql.Encoders.STRING())
                .collectAsList())
        .containsExactly(firstPaths.get(0));
    assertThat(first.summary())
        .contains(
            "  rejections: " + errorRows + " new this run (exit code 3), " + errorRows,
            String.join(System.lineSeparator(), firstFive),
            "  list this run's: bin/lakehouse sql --zone identifiable \"SELECT * FROM"
                + " identifiable.ingest_errors WHERE run_id = '"
                + first.runId()
                + "'\"")
        .doesNotContain(root)
        .doesNotContain(".dcm")
        .doesNotContain(pacs.patientNames.values());
    assertThat(first.rejections().status()).isEqualTo(JobStatus.COMPLETED_WITH_REJECTIONS);

    // The duplicate's row was marked deleted in a deletion vector, its data file kept as written:
    // one file was appended and, in the settle commit, added back with the vector (no rewrite).
    String instancesLog = layout.table(Zone.IDENTIFIABLE, "instances") + "/_delta_log/*.json";
    Dataset<Row> adds = spark().read().json(instancesLog).where("add IS NOT NULL");
    assertThat(adds.where("add.deletionVector IS NOT NULL").count()).isEqualTo(1);
    assertThat(adds.select("add.path").distinct().count()).isEqualTo(1);
    assertThat(countWhere(layout.table(Zone.IDENTIFIABLE, "instances"), "true"))
        .isEqualTo(pacs.count("instance"));

    // Tag values: the manifest and dcmdump, including non-ASCII names.
    spark()
        .read()
        .format("delta")
        .load(layout.table(Zone.IDENTIFIABLE, "instances"))
        .createOrReplaceTempView("inst");
    for (Row r :
        spark().sql("SELECT SOPInstanceUID, PatientName, file_path FROM inst").collectAsList()) {
      assertThat(r.getString(1)).isEqualTo(pacs.patientNames.get(r.getString(0)));
      assertThat(r.getString(2)).isEqualTo(pacs.pathOfSop.get(r.getString(0)));
    }
    for (String sop :
        List.of("1.2.826.0.1.9.1.1.1", "1.2.826.0.1.9.2.2.2", "1.2.826.0.1.9.3.1.2")) {
      Path file = Path.of(pacs.pathOfSop.get(sop));
      Map<String, String> dump = DcmDump.values(file);
      Row r =
          spark()
              .sql(
                  "SELECT PatientName, StudyDate, Modality, SeriesInstanceUID, SpecificCharacterSet,"
                      + " InstanceNumber, pixel_data_offset, pixel_data_length FROM inst WHERE SOPInstanceUID = '"
                      + sop
                      + "'")
              .first();
      assertThat(r.getString(0)).isEqualTo(dump.get("00100010"));
      assertThat(r.getString(1)).isEqualTo(dump.get("00080020"));
      assertThat(r.getString(2)).isEqualTo(dump.get("00080060"));
      assertThat(r.getString(3)).isEqualTo(dump.get("0020000E"));
      assertThat(r.getString(4)).isEqualTo(DcmDump.rawValues(file).get("00080005"));
      assertThat(r.getInt(5)).isEqualTo(Integer.parseInt(dump.get("00200013")));
      assertThat(r.getLong(6) + r.getLong(7)).isEqualTo(Files.size(file));
    }
    // The complete header answers questions without the files.
    List<Row> creators =
        spark()
            .sql(
                "SELECT DISTINCT h.private_creator FROM inst LATERAL VIEW explode(header) AS h"
                    + " WHERE h.private_creator IS NOT NULL")
            .collectAsList();
    assertThat(creators).extracting(r -> r.getString(0)).containsExactly("ACME 1.1");
    List<Row> codes =
        spark()
            .sql(
                "SELECT DISTINCT h.values[0] FROM inst LATERAL VIEW explode(header) AS h"
                    + " WHERE h.path LIKE '00081032[%].00080100' AND Modality = 'CT'")
            .collectAsList();
    assertThat(codes).isNotEmpty().allMatch(r -> r.getString(0).matches("[CD]\\d+"));

    // The duplicate names both paths.
    Row dup = firstDuplicate(layout);
    assertThat(dup.<String>getAs("file_path")).endsWith("zz-copies/again.dcm");
    assertThat(dup.<String>getAs("duplicate_of"))
        .isEqualTo(pacs.pathOfSop.get("1.2.826.0.1.9.1.1.1"));
    assertThat(dup.<String>getAs("message")).contains(pacs.pathOfSop.get("1.2.826.0.1.9.1.1.1"));
    // Zip entries are addressed archive!entry with their entry size.
    Row zipped =
        spark()
            .sql(
                "SELECT file_path, file_size FROM inst WHERE SOPInstanceUID = '1.2.826.0.1.9.4.1.2'")
            .first();
    assertThat(zipped.getString(0)).endsWith("archive/export.zip!study4/series1/2.dcm");
    // job_runs records the run with its counts.
    Row runRow =
        spark()
            .read()
            .format("delta")
            .load(layout.table(Zone.IDENTIFIABLE, "job_runs"))
            .where("run_id = '" + first.runId() + "'")
            .first();
    assertThat(runRow.<String>getAs("status")).isEqualTo("COMPLETED_WITH_REJECTIONS");

    // Re-run on unchanged files: nothing is read and no table changes.
    String inst = layout.table(Zone.IDENTIFIABLE, "instances");
    String errs = layout.table(Zone.IDENTIFIABLE, "ingest_errors");
    String idx = layout.table(Zone.IDENTIFIABLE, "file_index");
    long[] before = {version(inst), version(errs), version(idx)};
    IngestResult again = ingest(config, pacs.root.toString(), Map.of());
    assertThat(again.count("read")).isZero();
    assertThat(again.unchanged()).isEqualTo(pacs.expected.size());
    assertThat(again.accountedFor()).isTrue();
    assertThat(again.status()).isEqualTo(JobStatus.SUCCEEDED);
    // The same bad files again: already on record, not new, so exit code 0, and said so.
    assertThat(again.summary())
        .contains(
            "  rejections: none new this run (exit code 0), " + errorRows + " on record",
            "  list them: bin/lakehouse sql --zone identifiable \"SELECT * FROM"
                + " identifiable.ingest_errors\"");
    assertThat(new long[] {version(inst), version(errs), version(idx)}).isEqualTo(before);

    // A changed file and a new file: exactly those two are read; the change wins.
    String changedSop = "1.2.826.0.1.9.3.2.1";
    Path changed = Path.of(pacs.pathOfSop.get(changedSop));
    DicomFixture.ct(changedSop, "1.2.826.0.1.9.3", "1.2.826.0.1.9.3.2")
        .set(TagFromName.PatientName, "Smith^Anne^Corrected")
        .write(changed);
    Files.setLastModifiedTime(changed, FileTime.fromMillis(System.currentTimeMillis() + 5000));
    DicomFixture.ct("1.2.826.0.1.9.5.1.1", "1.2.826.0.1.9.5", "1.2.826.0.1.9.5.1")
        .write(pacs.root.resolve("P5/new.dcm"));
    IngestResult third = ingest(config, pacs.root.toString(), Map.of());
    assertThat(third.count("read")).isEqualTo(2);
    assertThat(third.instances()).isEqualTo(2);
    assertThat(third.accountedFor()).isTrue();
    spark().read().format("delta").load(inst).createOrReplaceTempView("inst");
    assertThat(
            spark()
                .sql("SELECT PatientName FROM inst WHERE SOPInstanceUID = '" + changedSop + "'")
                .collectAsList())
        .extracting(r -> r.getString(0))
        .containsExactly("Smith^Anne^Corrected");
    assertThat(spark().sql("SELECT count(*) FROM inst").first().getLong(0))
        .isEqualTo(pacs.count("instance") + 1);

    // A file withdrawn from the source: counted as missing and kept by default, removed on
    // request (instances, errors and index), and then no longer reported.
    Files.delete(pacs.root.resolve("P5/new.dcm"));
    IngestResult kept = ingest(config, pacs.root.toString(), Map.of());
    assertThat(kept.missing()).isEqualTo(1);
    assertThat(kept.count("read")).isZero();
    assertThat(countWhere(inst, "SOPInstanceUID = '1.2.826.0.1.9.5.1.1'")).isEqualTo(1);
    IngestResult removed =
        ingest(config, pacs.root.toString(), Map.of(IngestJob.OPTION_ON_MISSING, "remove"));
    assertThat(removed.missing()).isEqualTo(1);
    assertThat(removed.count(IngestResult.REMOVED)).isEqualTo(1);
    assertThat(countWhere(inst, "SOPInstanceUID = '1.2.826.0.1.9.5.1.1'")).isZero();
    // Gone from the data files themselves, not hidden by a deletion vector: VACUUM erases it.
    String[] current = spark().read().format("delta").load(inst).inputFiles();
    assertThat(
            spark().read().parquet(current).where("SOPInstanceUID = '1.2.826.0.1.9.5.1.1'").count())
        .isZero();
    assertThat(countWhere(idx, "file_path LIKE '%/P5/new.dcm'")).isZero();
    assertThat(countWhere(inst, "true")).isEqualTo(pacs.count("instance"));
    assertThat(ingest(config, pacs.root.toString(), Map.of()).missing()).isZero();
  }

  private static Row firstDuplicate(ZoneLayout layout) {
    return spark()
        .read()
        .format("delta")
        .load(layout.table(Zone.IDENTIFIABLE, "ingest_errors"))
        .where("error_class = 'duplicate_sop'")
        .first();
  }

  private static long countWhere(String table, String condition) {
    return spark().read().format("delta").load(table).where(condition).count();
  }

  @Test
  void aFirstLoadInSmallBatchesSettlesDuplicatesAcrossBatches() throws Exception {
    // The first load of an empty table finds earlier batches' UIDs on the driver, not by scanning
    // the table: the copy (a later path, so a later batch) must still be the duplicate.
    PacsFixture pacs = PacsFixture.build(tempDir.resolve("pacs-batches"));
    LakehouseConfig config = newHomeConfig("home-batches");
    IngestResult result = ingest(config, pacs.root.toString(), Map.of("batch-size", "2"));
    assertThat(outcomes(ZoneLayout.from(config))).isEqualTo(pacs.expected);
    assertThat(result.duplicates()).isEqualTo(1);
    assertThat(result.accountedFor()).isTrue();
  }

  @Test
  void fileListAndArchiveInputsAreAccountedFor() throws Exception {
    PacsFixture pacs = PacsFixture.build(tempDir.resolve("pacs-list"));
    Path list = tempDir.resolve("pacs-list-files.txt");
    StringBuilder lines = new StringBuilder("# exported by the PACS\n\n");
    for (String p : pacs.expected.keySet()) {
      if (p.contains("!")) {
        continue;
      }
      // Relative paths are resolved against the list's directory.
      lines.append(tempDir.relativize(Path.of(p))).append('\n');
    }
    lines.append(pacs.root.resolve("archive/export.zip")).append('\n');
    lines.append(pacs.root.resolve("gone/missing.dcm")).append('\n');
    Files.writeString(list, lines);
    LakehouseConfig config = newHomeConfig("home-list");
    IngestResult result = ingest(config, list.toString(), Map.of());
    Map<String, String> expected = new HashMap<>(pacs.expected);
    expected.put(pacs.root.resolve("gone/missing.dcm").toString(), "unreadable");
    assertThat(outcomes(ZoneLayout.from(config))).isEqualTo(expected);
    assertThat(result.inputs()).isEqualTo(expected.size());
    assertThat(result.accountedFor()).isTrue();
    assertThat(result.count("rejected.unreadable")).isEqualTo(1);

    // A re-run retries only the unreadable input; the archive's entries are unchanged.
    IngestResult again = ingest(config, list.toString(), Map.of());
    assertThat(again.count("read")).isEqualTo(1);
    assertThat(again.unchanged()).isEqualTo(expected.size() - 1);
    assertThat(again.count("rejected.unreadable")).isEqualTo(1);
    assertThat(outcomes(ZoneLayout.from(config))).isEqualTo(expected);
  }

  @Test
  void inputsOfAnotherSourceAreNotMissingAndAWithdrawnOneIs() throws Exception {
    Path first = tempDir.resolve("source-a");
    Path second = tempDir.resolve("source-b");
    DicomFixture.ct("1.2.826.0.1.9.7.1.1", "1.2.826.0.1.9.7", "1.2.826.0.1.9.7.1")
        .write(first.resolve("1.dcm"));
    DicomFixture.ct("1.2.826.0.1.9.7.1.2", "1.2.826.0.1.9.7", "1.2.826.0.1.9.7.1")
        .set(TagFromName.PatientName, "Müller^Jürgen")
        .write(first.resolve("P2/2.dcm"));
    DicomFixture.ct("1.2.826.0.1.9.8.1.1", "1.2.826.0.1.9.8", "1.2.826.0.1.9.8.1")
        .write(second.resolve("1.dcm"));
    LakehouseConfig config = newHomeConfig("home-two-sources");
    assertThat(ingest(config, first.toString(), Map.of()).instances()).isEqualTo(2);

    // The index holds the first source's inputs; a run over the second lists none of them.
    IngestResult other = ingest(config, second.toString(), Map.of());
    assertThat(other.missing()).isZero();
    assertThat(other.count("read")).isEqualTo(1);
    assertThat(other.unchanged()).isZero();

    // Both sources at once: everything unchanged.
    IngestResult both = ingest(config, first + "," + second, Map.of());
    assertThat(both.count("read")).isZero();
    assertThat(both.unchanged()).isEqualTo(3);
    assertThat(both.missing()).isZero();

    Files.delete(first.resolve("P2/2.dcm"));
    IngestResult withdrawn = ingest(config, first.toString(), Map.of());
    assertThat(withdrawn.missing()).isEqualTo(1);
    assertThat(withdrawn.unchanged()).isEqualTo(1);
    assertThat(withdrawn.count("read")).isZero();
  }

  @Test
  void aLaterRunKeepsTheRowAlreadyInTheTableAndRecordsTheNewCopy() throws Exception {
    // A later run finds the UIDs the table already holds on the driver (read with Delta Kernel),
    // not by scanning it with Spark: a copy that arrives later must still be the duplicate, even
    // under a path that sorts first.
    Path source = tempDir.resolve("source-copy");
    String sop = "1.2.826.0.1.9.9.1.1";
    DicomFixture.ct(sop, "1.2.826.0.1.9.9", "1.2.826.0.1.9.9.1").write(source.resolve("P1/1.dcm"));
    LakehouseConfig config = newHomeConfig("home-copy");
    assertThat(ingest(config, source.toString(), Map.of()).instances()).isEqualTo(1);

    Files.createDirectories(source.resolve("A0"));
    Files.copy(source.resolve("P1/1.dcm"), source.resolve("A0/copy.dcm"));
    DicomFixture.ct("1.2.826.0.1.9.9.1.2", "1.2.826.0.1.9.9", "1.2.826.0.1.9.9.1")
        .write(source.resolve("P1/2.dcm"));
    IngestResult later = ingest(config, source.toString(), Map.of());
    assertThat(later.count("read")).isEqualTo(2);
    assertThat(later.instances()).isEqualTo(1);
    assertThat(later.duplicates()).isEqualTo(1);
    assertThat(later.accountedFor()).isTrue();

    ZoneLayout layout = ZoneLayout.from(config);
    String inst = layout.table(Zone.IDENTIFIABLE, "instances");
    assertThat(countWhere(inst, "true")).isEqualTo(2);
    assertThat(
            spark()
                .read()
                .format("delta")
                .load(inst)
                .where("SOPInstanceUID = '" + sop + "'")
                .select("file_path")
                .as(org.apache.spark.sql.Encoders.STRING())
                .collectAsList())
        .containsExactly(source.resolve("P1/1.dcm").toString());
    Row dup = firstDuplicate(layout);
    assertThat(dup.<String>getAs("file_path")).isEqualTo(source.resolve("A0/copy.dcm").toString());
    assertThat(dup.<String>getAs("duplicate_of")).isEqualTo(source.resolve("P1/1.dcm").toString());
  }

  @Test
  void newRejectionsAreAppendedAndOneLeftWithoutItsIndexRowIsNotRecordedTwice() throws Exception {
    Path source = tempDir.resolve("source-errors");
    DicomFixture.ct("1.2.826.0.1.9.8.1.1", "1.2.826.0.1.9.8", "1.2.826.0.1.9.8.1")
        .write(source.resolve("P1/1.dcm"));
    Files.writeString(source.resolve("P1/notes.txt"), "not a DICOM file");
    LakehouseConfig config = newHomeConfig("home-errors");
    ZoneLayout layout = ZoneLayout.from(config);
    String errors = layout.table(Zone.IDENTIFIABLE, "ingest_errors");
    String index = layout.table(Zone.IDENTIFIABLE, "file_index");
    assertThat(ingest(config, source.toString(), Map.of()).rejected()).isEqualTo(1);
    // Files never seen before: their rejection is an append, not a MERGE (5-7 s in a fresh JVM).
    assertThat(DeltaTable.forPath(spark(), errors).history(1).first().<String>getAs("operation"))
        .isEqualTo("WRITE");

    // As if a run was killed between the ingest_errors commit and the file_index commit: the
    // rejection is on record, the file is not indexed, so the next run reads it again.
    String notes = source.resolve("P1/notes.txt").toString();
    DeltaTable.forPath(spark(), index).delete("file_path = '" + notes + "'");
    IngestResult again = ingest(config, source.toString(), Map.of());
    assertThat(again.count("read")).isEqualTo(1);
    assertThat(DeltaTable.forPath(spark(), errors).history(1).first().<String>getAs("operation"))
        .isEqualTo("MERGE");
    assertThat(countWhere(errors, "file_path = '" + notes + "'")).isEqualTo(1);
    assertThat(countWhere(index, "file_path = '" + notes + "'")).isEqualTo(1);

    // Another new rejection in a later run: appended again.
    Files.writeString(source.resolve("P1/more-notes.txt"), "not a DICOM file either");
    assertThat(ingest(config, source.toString(), Map.of()).rejected()).isEqualTo(1);
    assertThat(DeltaTable.forPath(spark(), errors).history(1).first().<String>getAs("operation"))
        .isEqualTo("WRITE");
    assertThat(countWhere(errors, "true")).isEqualTo(2);
  }

  @Test
  void headerLeavesAreWrittenWithoutStatisticsAndTheTablePropertiesAreRestored() throws Exception {
    Path source = tempDir.resolve("source-layout");
    DicomFixture.ct("1.2.826.0.1.9.8.1.1", "1.2.826.0.1.9.8", "1.2.826.0.1.9.8.1")
        .write(source.resolve("P1/1.dcm"));
    LakehouseConfig config = newHomeConfig("home-layout");
    assertThat(ingest(config, source.toString(), Map.of()).instances()).isEqualTo(1);
    String inst = ZoneLayout.from(config).table(Zone.IDENTIFIABLE, "instances");

    Map<String, ColumnChunkMetaData> columns = new HashMap<>();
    for (String file : spark().read().format("delta").load(inst).inputFiles()) {
      try (ParquetFileReader reader =
          ParquetFileReader.open(
              HadoopInputFile.fromPath(
                  new org.apache.hadoop.fs.Path(file),
                  spark().sparkContext().hadoopConfiguration()))) {
        for (BlockMetaData block : reader.getFooter().getBlocks()) {
          for (ColumnChunkMetaData c : block.getColumns()) {
            columns.put(c.getPath().toDotString(), c);
          }
        }
      }
    }
    // Reads filter on the typed columns, whose statistics stay; nothing reads a header leaf's.
    assertThat(columns.get("SOPInstanceUID").getStatistics().isEmpty()).isFalse();
    assertThat(IngestSchemas.headerLeafPaths())
        .hasSize(7)
        .allSatisfy(
            leaf -> assertThat(columns.get(leaf).getStatistics().isEmpty()).as(leaf).isTrue());
    assertThat(columns.get("header.list.element.values.list.element").getEncodings())
        .noneMatch(Encoding::usesDictionary);
    assertThat(columns.get("header.list.element.vr").getEncodings())
        .anyMatch(Encoding::usesDictionary);

    // A table from before these properties gets them on the next run; a value set by hand stays.
    String values = "parquet.enable.dictionary#header.list.element.values.list.element";
    String pathStats = "parquet.column.statistics.enabled#header.list.element.path";
    spark().sql("ALTER TABLE delta.`" + inst + "` UNSET TBLPROPERTIES ('" + pathStats + "')");
    spark().sql("ALTER TABLE delta.`" + inst + "` SET TBLPROPERTIES ('" + values + "' = 'true')");
    assertThat(ingest(config, source.toString(), Map.of()).count("read")).isZero();
    Map<String, String> properties =
        DeltaTable.forPath(spark(), inst)
            .detail()
            .first()
            .getJavaMap(
                DeltaTable.forPath(spark(), inst).detail().schema().fieldIndex("properties"));
    assertThat(properties).containsEntry(pathStats, "false").containsEntry(values, "true");
    assertThat(properties.keySet()).containsAll(IngestJob.INSTANCES_PROPERTIES.keySet());
  }
}
