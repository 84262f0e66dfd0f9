package org.imaginglakehouse.cli;

import static org.apache.spark.sql.functions.col;
import static org.assertj.core.api.Assertions.assertThat;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.TagFromName;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.imaginglakehouse.core.Sha256;
import org.imaginglakehouse.core.config.LakehouseConfig;
import org.imaginglakehouse.core.job.JobOptions;
import org.imaginglakehouse.core.testing.SparkTestBase;
import org.imaginglakehouse.core.zone.Zone;
import org.imaginglakehouse.core.zone.ZoneLayout;
import org.imaginglakehouse.extract.ExtractJob;
import org.imaginglakehouse.synth.GroundTruth;
import org.imaginglakehouse.synth.SynthOptions;
import org.imaginglakehouse.synth.SyntheticPacs;
import org.imaginglakehouse.transform.cohort.CohortCreateJob;
import org.imaginglakehouse.transform.promote.PromoteJob;
import org.imaginglakehouse.transform.pseudonym.PseudonymConfig;
import org.junit.jupiter.api.Test;

/**
 * Jobs run at the same time on one lakehouse home, each its own {@code lakehouse} process started
 * at once: two ingests of different feeds creating the tables of a fresh home, two more ingests
 * while promote runs on the existing home, and two extracts of different projects. The feeds share
 * SOPInstanceUIDs (copies of one file under another path, in both feeds and in the table already)
 * and one file path, so that each ingest's settle step races the other's. Afterwards the tables are
 * checked exactly: one row per UID, every file indexed once with the status its row has, the
 * duplicates quarantined against the row that stayed, one finished job_runs row per run, promote of
 * every instance, and the extractions equal to one run alone.
 */
class ConcurrentRunsProcessTest extends SparkTestBase {
  private static final String KEY_1 =
      "3f1c9a7e5b2d4c6e8f0a1b2c3d4e5f60718293a4b5c6d7e8f9012a3b4c5d6e7f";
  private static final String KEY_2 =
      "9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a29181716151413121110fedcba9876";

  /** A {@code lakehouse} process and everything it printed. */
  private static final class Run {
    final String name;
    final Process process;
    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    final Thread reader;

    Run(String name, List<String> env, String... args) throws Exception {
      this.name = name;
      process = CliProcess.start(env, args);
      reader =
          new Thread(
              () -> {
                try {
                  process.getInputStream().transferTo(out);
                } catch (java.io.IOException e) {
                  // the process ended
                }
              });
      reader.start();
    }

    /** Waits for the end; returns the exit code. */
    int exit() throws Exception {
      if (!process.waitFor(10, TimeUnit.MINUTES)) {
        // A thread dump to the output, then the process goes.
        new ProcessBuilder("jcmd", Long.toString(process.pid()), "Thread.print")
            .inheritIO()
            .start()
            .waitFor();
        process.destroyForcibly();
        reader.join(10_000);
        throw new AssertionError(name + " did not end in 10 minutes:\n" + output());
      }
      reader.join(10_000);
      System.out.println("---- " + name + " exit " + process.exitValue() + "\n" + output());
      return process.exitValue();
    }

    String output() {
      return out.toString(StandardCharsets.UTF_8);
    }
  }

  /** Starts the runs at once and waits for all; returns their exit codes. */
  private static List<Integer> together(Run... runs) throws Exception {
    List<Integer> codes = new ArrayList<>();
    for (Run r : runs) {
      codes.add(r.exit());
    }
    return codes;
  }

  /** A copy of {@code file} under another name in {@code dir}: the same UID at another path. */
  private static Path twin(Path file, Path dir, String name) throws Exception {
    Files.createDirectories(dir);
    return Files.copy(file, dir.resolve(name));
  }

  private static String sop(Path file) throws Exception {
    AttributeList list = new AttributeList();
    list.read(file.toString(), TagFromName.PixelData);
    return Attribute.getSingleStringValueOrEmptyString(list, TagFromName.SOPInstanceUID);
  }

  @Test
  void concurrentIngestsPromoteAndExtractsEndWithTheTablesOfRunsOneAfterTheOther()
      throws Exception {
    long started = System.nanoTime();
    Path synth = tempDir.resolve("synth");
    SyntheticPacs.generate(
        synth,
        SynthOptions.builder()
            .patients(4)
            .seed(31)
            .imagesScale(0.05)
            .junkRate(0)
            .pixelSize(SynthOptions.PixelSize.TINY)
            .threads(1)
            .build());
    GroundTruth truth = GroundTruth.read(synth);
    Path root = truth.dicomRoot();
    List<Path> files;
    try (Stream<Path> s = Files.walk(root)) {
      files = s.filter(Files::isRegularFile).sorted().toList();
    }
    assertThat(files).hasSizeGreaterThan(24);
    int q = files.size() / 4;
    Path feeds = tempDir.resolve("feeds");
    List<Path> a = IngestWatchProcessTest.copy(files.subList(0, q), root, feeds.resolve("a"));
    List<Path> b = IngestWatchProcessTest.copy(files.subList(q, 2 * q), root, feeds.resolve("b"));
    List<Path> c =
        IngestWatchProcessTest.copy(files.subList(2 * q, 3 * q), root, feeds.resolve("c"));
    List<Path> d =
        IngestWatchProcessTest.copy(files.subList(3 * q, files.size()), root, feeds.resolve("d"));
    // Feeds A and B share UIDs in each of their batches (a file of A copied into B, B's copies
    // first in B's order); B also names one file of A itself (the same path in both runs).
    int batch = 6;
    for (int i = 0; i < a.size(); i += batch) {
      twin(a.get(i), feeds.resolve("b"), "0-twin-" + i + ".dcm");
    }
    String sourceB = feeds.resolve("b") + "," + a.get(1);
    // Feeds C and D share UIDs, and C holds a copy of a file already in the table.
    for (int i = 0; i < c.size(); i += batch) {
      twin(c.get(i), feeds.resolve("d"), "0-twin-" + i + ".dcm");
    }
    twin(b.get(2), feeds.resolve("c"), "0-twin-b.dcm");

    Map<String, String> sops = new HashMap<>(); // path → UID of every input file
    try (Stream<Path> s = Files.walk(feeds)) {
      for (Path f : s.filter(Files::isRegularFile).toList()) {
        sops.put(f.toString(), sop(f));
      }
    }

    LakehouseConfig config =
        newHomeConfig("home")
            .with(PseudonymConfig.SOURCE, "csv")
            .with(PseudonymConfig.LOCATION, truth.linkedDir().resolve("chi_eupi.csv").toString());
    String home = config.home();
    ZoneLayout layout = ZoneLayout.from(config);
    String[] mapping = {
      "--conf",
      "pseudonym.source=csv",
      "--conf",
      "pseudonym.location=" + config.require(PseudonymConfig.LOCATION)
    };

    // 1. Two ingests creating the tables of a fresh home at once.
    String size = Integer.toString(batch);
    List<Integer> codes =
        together(
            new Run(
                "ingest A",
                List.of(),
                "--home",
                home,
                "ingest",
                "--source",
                feeds.resolve("a").toString(),
                "--batch-size",
                size),
            new Run(
                "ingest B",
                List.of(),
                "--home",
                home,
                "ingest",
                "--source",
                sourceB,
                "--batch-size",
                size));
    assertThat(codes).allMatch(code -> code == 0 || code == 3);
    Set<String> readAB = new HashSet<>(sops.keySet());
    readAB.removeIf(
        p ->
            !p.startsWith(feeds.resolve("a").toString())
                && !p.startsWith(feeds.resolve("b").toString()));
    checkIngest(layout, sops, readAB, 2);

    // 2. Promote over those instances while two more ingests add feeds C and D.
    codes =
        together(
            new Run(
                "promote", List.of(), concat(new String[] {"--home", home, "promote"}, mapping)),
            new Run(
                "ingest C",
                List.of(),
                "--home",
                home,
                "ingest",
                "--source",
                feeds.resolve("c").toString(),
                "--batch-size",
                size),
            new Run(
                "ingest D",
                List.of(),
                "--home",
                home,
                "ingest",
                "--source",
                feeds.resolve("d").toString(),
                "--batch-size",
                size));
    assertThat(codes).allMatch(code -> code == 0 || code == 3);
    checkIngest(layout, sops, sops.keySet(), 4);
    assertThat(jobRuns(layout, Zone.IDENTIFIABLE, "promote"))
        .hasSize(1)
        .allMatch(st -> st.equals("SUCCEEDED") || st.equals("COMPLETED_WITH_REJECTIONS"));
    // The next promote has every instance.
    new PromoteJob(spark(), config, JobOptions.of(config, PromoteJob.NAME, Map.of()), Map.of())
        .execute();
    Set<String> instances =
        new HashSet<>(column(table(layout, Zone.IDENTIFIABLE, "instances"), "SOPInstanceUID"));
    Dataset<Row> image =
        spark().read().format("delta").load(layout.table(Zone.DEIDENTIFIED, "image"));
    long rejected = table(layout, Zone.IDENTIFIABLE, "promotion_rejections").count();
    assertThat(image.count() + rejected).isEqualTo(instances.size());
    assertThat(image.select("SOPInstanceUID").distinct().count()).isEqualTo(image.count());

    // 3. Two extracts of different projects at once, of one cohort.
    CohortCreateJob.of(
            spark(),
            config,
            Map.of(
                CohortCreateJob.OPTION_NAME, "every_study",
                CohortCreateJob.OPTION_LEVEL, "study",
                CohortCreateJob.OPTION_SQL,
                    "SELECT DISTINCT eupi, StudyInstanceUID FROM deidentified.study"))
        .execute();
    Map<String, String> yaml = new TreeMap<>();
    for (String p : List.of("one", "two")) {
      Path f = tempDir.resolve(p + ".yaml");
      Files.writeString(f, "project: " + p + "\ncohorts: [every_study]\n");
      yaml.put(p, f.toString());
    }
    codes =
        together(
            new Run(
                "extract one",
                List.of("LAKEHOUSE_PROJECT_ONE_KEY=" + KEY_1),
                "--home",
                home,
                "extract",
                "--project",
                "one",
                "--project-config",
                yaml.get("one"),
                "--cohort",
                "every_study"),
            new Run(
                "extract two",
                List.of("LAKEHOUSE_PROJECT_TWO_KEY=" + KEY_2),
                "--home",
                home,
                "extract",
                "--project",
                "two",
                "--project-config",
                yaml.get("two"),
                "--cohort",
                "every_study"));
    assertThat(codes).allMatch(code -> code == 0 || code == 3);
    // The same extractions again, one after the other, under another id: the same files, byte
    // for byte, and the same project tables.
    for (Map.Entry<String, String> p : yaml.entrySet()) {
      String project = p.getKey();
      new ExtractJob(
              spark(),
              config,
              JobOptions.of(
                  config,
                  ExtractJob.NAME,
                  Map.of(
                      ExtractJob.OPTION_PROJECT,
                      project,
                      ExtractJob.OPTION_PROJECT_CONFIG,
                      p.getValue(),
                      ExtractJob.OPTION_COHORT,
                      "every_study",
                      ExtractJob.OPTION_EXTRACTION,
                      "alone")),
              Map.of(
                  "LAKEHOUSE_PROJECT_" + project.toUpperCase() + "_KEY",
                  project.equals("one") ? KEY_1 : KEY_2))
          .execute();
      Path extractions = Path.of(layout.projectRoot(project)).resolve(ExtractJob.EXTRACTIONS_DIR);
      Map<String, String> together = dicomFiles(extractions.resolve("every_study"));
      Map<String, String> alone = dicomFiles(extractions.resolve("alone"));
      assertThat(together).as(project).isNotEmpty().isEqualTo(alone);
      Dataset<Row> fileRows =
          spark().read().format("delta").load(layout.projectTable(project, "files"));
      assertThat(fileRows.where("extraction_id = 'every_study'").count())
          .isEqualTo(together.size());
      assertThat(fileRows.where("extraction_id = 'alone'").count()).isEqualTo(alone.size());
      assertThat(
              spark()
                  .read()
                  .format("delta")
                  .load(layout.projectTable(project, "job_runs"))
                  .where("job = 'extract'")
                  .select("status")
                  .as(Encoders.STRING())
                  .collectAsList())
          .hasSize(2)
          .allMatch(st -> st.equals("SUCCEEDED") || st.equals("COMPLETED_WITH_REJECTIONS"));
    }
    System.out.printf(
        "ConcurrentRunsProcessTest: %d input files, %.1f s%n",
        sops.size(), (System.nanoTime() - started) / 1e9);
  }

  /**
   * The ingest tables after the runs that read {@code read} (paths) of {@code sops} (path → UID):
   * one instance per UID, every file indexed once, as ingested when its row is the UID's row, else
   * as a duplicate of that row quarantined in ingest_errors; {@code runs} finished ingest runs.
   */
  private static void checkIngest(
      ZoneLayout layout, Map<String, String> sops, Set<String> read, int runs) {
    Set<String> uids = new HashSet<>();
    for (String p : read) {
      uids.add(sops.get(p));
    }
    Dataset<Row> instances = table(layout, Zone.IDENTIFIABLE, "instances");
    Map<String, String> rowPath = new HashMap<>(); // UID → the file of its row
    for (Row r : instances.select("SOPInstanceUID", "file_path").collectAsList()) {
      assertThat(rowPath.put(r.getString(0), r.getString(1)))
          .as("a second row of one SOPInstanceUID")
          .isNull();
    }
    assertThat(rowPath.keySet()).isEqualTo(uids);
    rowPath.forEach((uid, path) -> assertThat(sops.get(path)).isEqualTo(uid));

    Map<String, String> status = new HashMap<>();
    for (Row r :
        table(layout, Zone.IDENTIFIABLE, "file_index")
            .select("file_path", "status")
            .collectAsList()) {
      assertThat(status.put(r.getString(0), r.getString(1)))
          .as("a second index row of a file")
          .isNull();
    }
    assertThat(status.keySet()).isEqualTo(read);
    Map<String, String> errors = new HashMap<>();
    for (Row r :
        table(layout, Zone.IDENTIFIABLE, "ingest_errors")
            .select("file_path", "error_class", "duplicate_of")
            .collectAsList()) {
      assertThat(r.getString(1)).isEqualTo("duplicate_sop");
      assertThat(errors.put(r.getString(0), r.getString(2))).isNull();
    }
    for (String p : read) {
      String kept = rowPath.get(sops.get(p));
      if (kept.equals(p)) {
        assertThat(status.get(p)).as("status of a file whose row stayed").isEqualTo("ingested");
        assertThat(errors).doesNotContainKey(p);
      } else {
        assertThat(status.get(p)).as("status of a duplicate").isEqualTo("duplicate");
        assertThat(errors.get(p)).as("the duplicate's kept file").isEqualTo(kept);
      }
    }
    assertThat(errors).hasSize(read.size() - uids.size());
    assertThat(jobRuns(layout, Zone.IDENTIFIABLE, "ingest"))
        .hasSize(runs)
        .allMatch(st -> st.equals("SUCCEEDED") || st.equals("COMPLETED_WITH_REJECTIONS"));
  }

  private static List<String> jobRuns(ZoneLayout layout, Zone zone, String job) {
    return table(layout, zone, "job_runs")
        .where(col("job").equalTo(job))
        .select("status")
        .as(Encoders.STRING())
        .collectAsList();
  }

  private static Dataset<Row> table(ZoneLayout layout, Zone zone, String name) {
    return spark().read().format("delta").load(layout.table(zone, name));
  }

  private static List<String> column(Dataset<Row> rows, String name) {
    return rows.select(name).as(Encoders.STRING()).collectAsList();
  }

  /** Relative path → SHA-256 of every DICOM file under {@code dir}. */
  private static Map<String, String> dicomFiles(Path dir) throws Exception {
    Map<String, String> out = new TreeMap<>();
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path f : s.filter(p -> p.toString().endsWith(".dcm")).toList()) {
        out.put(dir.relativize(f).toString(), Sha256.hex(Files.readAllBytes(f)));
      }
    }
    return out;
  }

  private static String[] concat(String[] first, String[] second) {
    String[] out = java.util.Arrays.copyOf(first, first.length + second.length);
    System.arraycopy(second, 0, out, first.length, second.length);
    return out;
  }
}
