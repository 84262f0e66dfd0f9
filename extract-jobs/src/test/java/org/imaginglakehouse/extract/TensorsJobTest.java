package org.imaginglakehouse.extract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.Row;
import org.imaginglakehouse.core.LakehouseException;
import org.imaginglakehouse.core.job.JobResult;
import org.imaginglakehouse.core.job.JobStatus;
import org.imaginglakehouse.core.testing.SparkTestBase;
import org.imaginglakehouse.core.zone.ZoneLayout;
import org.imaginglakehouse.extract.tensor.ArrowVolumeWriter;
import org.imaginglakehouse.extract.tensor.DicomFrames;
import org.imaginglakehouse.extract.tensor.VolumeBuilder;
import org.imaginglakehouse.extract.tensor.VolumePlan;
import org.imaginglakehouse.extract.verify.Failure;
import org.imaginglakehouse.extract.verify.IdentifyingValues;
import org.imaginglakehouse.synth.GroundTruth;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code lakehouse tensors} on an extraction of a synthetic PACS: every series becomes a volume
 * file or a listed reason, the index table and volumes.parquet agree with the files, verify scans
 * the volume files (and catches an identifying value planted in one), re-runs write the same bytes,
 * and pydicom reads the same voxels from the extracted DICOM files (docs/ml-ready.md's loader, run
 * by the repo's .venv Python).
 */
class TensorsJobTest extends SparkTestBase {
  static ExtractLakehouse lake;
  static ZoneLayout layout;

  @BeforeAll
  static void lakehouse() {
    lake = ExtractLakehouse.build(spark(), tempDir, newHomeConfig("tensors-home"));
    layout = ZoneLayout.from(lake.config);
    lake.cohort(spark(), "everything", "SELECT eupi, StudyInstanceUID FROM deidentified.study");
  }

  static Path extract(String project) throws Exception {
    String yaml = ExtractLakehouse.projectFile(tempDir, project, "cohorts: ['*']\n").toString();
    Map<String, String> o = new LinkedHashMap<>();
    o.put(ExtractJob.OPTION_PROJECT, project);
    o.put(ExtractJob.OPTION_PROJECT_CONFIG, yaml);
    o.put(ExtractJob.OPTION_COHORT, "everything");
    o.put(ExtractJob.OPTION_VERIFY, "false");
    ExtractResult r = lake.extract(spark(), o, ExtractLakehouse.KEY_A);
    assertThat(r.count("written")).as(r.summary()).isPositive();
    return Path.of(r.location());
  }

  static JobResult tensors(String project, boolean verify) {
    return TensorsJob.of(
            spark(),
            lake.config,
            Map.of(
                TensorsJob.OPTION_PROJECT,
                project,
                TensorsJob.OPTION_EXTRACTION,
                "everything",
                TensorsJob.OPTION_VERIFY,
                Boolean.toString(verify)))
        .execute();
  }

  static List<Row> rows(String project, String table) {
    return spark()
        .read()
        .format("delta")
        .load(layout.projectTable(project, table))
        .where("extraction_id = 'everything'")
        .collectAsList();
  }

  @Test
  void everySeriesBecomesAVolumeOrAReasonAndVerifyScansTheVolumeFiles() throws Exception {
    Path root = extract("tclean");
    JobResult result = tensors("tclean", true);
    assertThat(result.status()).as(result.summary()).isEqualTo(JobStatus.SUCCEEDED);

    long series =
        rows("tclean", ProjectTables.FILES).stream()
            .map(r -> r.<String>getAs("path").replaceAll("/[^/]*$", ""))
            .distinct()
            .count();
    List<Row> index = rows("tclean", TensorsJob.VOLUMES);
    assertThat(index.stream().map(r -> r.getAs("SeriesInstanceUID")).distinct().count())
        .isEqualTo(series);
    assertThat(index).hasSize((int) (result.count("volumes") + result.count("not_a_volume")));
    assertThat(result.count("series")).isEqualTo(series);
    assertThat(result.count("volumes")).isPositive();
    Map<String, String> sha = new HashMap<>();
    for (Row r : index) {
      if (TensorsJob.VOLUME.equals(r.getAs("status"))) {
        Path file = root.resolve(r.<String>getAs("path"));
        assertThat(r.<String>getAs("path"))
            .isEqualTo(
                "tensors/modality="
                    + r.getAs("Modality")
                    + "/"
                    + r.getAs("SeriesInstanceUID")
                    + (r.<Integer>getAs("parts") == 1 ? "" : "_part" + r.getAs("part"))
                    + ".arrow");
        assertThat(ExtractJobTest.sha256File(file)).isEqualTo(r.<String>getAs("sha256"));
        assertThat(r.<Integer>getAs("slices")).isPositive();
        assertThat(r.<String>getAs("PatientID")).isNotBlank();
        sha.put(r.getAs("path"), r.getAs("sha256"));
      } else {
        assertThat(r.<String>getAs("status")).isEqualTo(TensorsJob.NOT_A_VOLUME);
        assertThat(r.<String>getAs("reason")).isNotBlank();
        assertThat(r.<String>getAs("path")).isNull();
      }
    }
    assertThat(spark().read().parquet(root.resolve(TensorsJob.VOLUMES_PARQUET).toString()).count())
        .isEqualTo(series);
    // Verify ran at the end, clean, and its list (what release may move) has every volume file.
    assertThat(result.count("verify_errors")).isZero();
    assertThat(rows("tclean", ExtractionState.EXTRACTIONS).get(0).<String>getAs("status"))
        .isEqualTo(ExtractionState.VERIFIED);
    String verified = Files.readString(root.resolve(VerifyJob.VERIFIED_LIST));
    sha.forEach((path, sum) -> assertThat(verified).contains(sum + "  " + path));
    assertThat(verified).contains("  " + TensorsJob.VOLUMES_PARQUET);

    // pydicom reads the same voxels from the extracted files, through the documented loader.
    JsonNode check = pythonCheck(root);
    assertThat(check.get("volumes").asLong()).isEqualTo(result.count("volumes"));
    assertThat(check.get("voxels").asLong()).isPositive();
    // docs/ml-ready.md's VolumeDataset: an item per volume, and its modality filter.
    assertThat(check.get("dataset_items").asLong()).isEqualTo(result.count("volumes"));
    assertThat(check.get("dataset_modalities").asInt()).isGreaterThanOrEqualTo(2);

    // A re-run writes the same bytes and removes a file no series of the extraction has.
    Path stale = root.resolve("tensors/modality=CT/not-a-series.arrow");
    Files.createDirectories(stale.getParent());
    Files.write(stale, new byte[] {1, 2, 3});
    JobResult again = tensors("tclean", false);
    assertThat(again.count("stale_removed")).isEqualTo(1);
    assertThat(stale).doesNotExist();
    for (Row r : rows("tclean", TensorsJob.VOLUMES)) {
      if (r.getAs("path") != null) {
        assertThat(r.<String>getAs("sha256")).isEqualTo(sha.get(r.<String>getAs("path")));
      }
    }
  }

  @Test
  void anIdentifyingValueInAVolumeFileFailsVerification() throws Exception {
    Path root = extract("tplant");
    tensors("tplant", false);
    Row volume =
        rows("tplant", TensorsJob.VOLUMES).stream()
            .filter(r -> r.getAs("path") != null && r.<Integer>getAs("parts") == 1)
            .findFirst()
            .orElseThrow();
    Row file =
        rows("tplant", ProjectTables.FILES).stream()
            .filter(
                r ->
                    r.<String>getAs("path").contains("/" + volume.getAs("SeriesInstanceUID") + "/"))
            .findFirst()
            .orElseThrow();
    String name = sourceName(file.getAs("source_uid_sha256"));
    // A buggy volume writer that copied the source's PatientName into the description.
    List<String> paths = new ArrayList<>();
    try (var files = Files.list(root.resolve(file.<String>getAs("path")).getParent())) {
      files.forEach(p -> paths.add(root.relativize(p).toString()));
    }
    List<org.imaginglakehouse.extract.tensor.FrameInfo> frames = new ArrayList<>();
    Map<String, String> metadata = null;
    for (String p : paths) {
      try (var in = Files.newInputStream(root.resolve(p))) {
        DicomFrames d = DicomFrames.read(in);
        frames.addAll(d.frames());
        metadata = new LinkedHashMap<>(d.metadata());
      }
    }
    VolumePlan plan = VolumeBuilder.plan(frames).get(0);
    metadata.put("SeriesDescription", "FOLLOW UP " + name.toUpperCase());
    Map<String, String> byUid = new HashMap<>();
    for (String p : paths) {
      byUid.put(p.replaceAll("^.*/|\\.dcm$", ""), p);
    }
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    ArrowVolumeWriter.write(
        plan,
        metadata,
        f -> {
          try (var in = Files.newInputStream(root.resolve(byUid.get(f.sopInstanceUid())))) {
            return DicomFrames.read(in).stored(f.frameNumber() - 1);
          }
        },
        out);
    Path planted = root.resolve(volume.<String>getAs("path"));
    Files.write(planted, out.toByteArray());

    VerifyResult v = VerifyJob.verify(spark(), lake.config, "tplant", "everything");
    assertThat(v.clean()).isFalse();
    String nameHash = Failure.sha256(IdentifyingValues.normalise(name));
    assertThat(rows("tplant", ExtractionState.FAILURES))
        .anySatisfy(
            r -> {
              assertThat(r.<String>getAs("path")).isEqualTo(volume.getAs("path"));
              assertThat(r.<String>getAs("check")).isEqualTo(Failure.Check.RESIDUAL_VALUE);
              assertThat(r.<String>getAs("found_sha256")).isEqualTo(nameHash);
            });
  }

  @Test
  void extractWithFormatBothWritesTheVolumesBeforeItsVerify() throws Exception {
    String yaml = ExtractLakehouse.projectFile(tempDir, "tboth", "cohorts: ['*']\n").toString();
    Map<String, String> o = new LinkedHashMap<>();
    o.put(ExtractJob.OPTION_PROJECT, "tboth");
    o.put(ExtractJob.OPTION_PROJECT_CONFIG, yaml);
    o.put(ExtractJob.OPTION_COHORT, "everything");
    o.put(ExtractJob.OPTION_FORMAT, "arrow");
    assertThatThrownBy(() -> lake.extract(spark(), o, ExtractLakehouse.KEY_A))
        .hasMessageContaining("--format must be dicom or both");
    o.put(ExtractJob.OPTION_FORMAT, ExtractJob.FORMAT_BOTH);
    ExtractResult r = lake.extract(spark(), o, ExtractLakehouse.KEY_A);
    assertThat(r.count("volumes")).as(r.summary()).isPositive();
    assertThat(r.count("verify_errors")).isZero();
    assertThat(rows("tboth", TensorsJob.VOLUMES))
        .hasSize((int) (r.count("volumes") + r.count("not_a_volume")));
    assertThat(Files.readString(Path.of(r.location()).resolve(VerifyJob.VERIFIED_LIST)))
        .contains("tensors/modality=");
  }

  @Test
  void refusesAnExtractionThatDoesNotExist() {
    assertThatThrownBy(
            () ->
                TensorsJob.of(
                        spark(),
                        lake.config,
                        Map.of(
                            TensorsJob.OPTION_PROJECT, "tnone",
                            TensorsJob.OPTION_EXTRACTION, "nothing"))
                    .execute())
        .isInstanceOf(LakehouseException.class)
        .hasMessageContaining("run `lakehouse extract` first");
  }

  private static String sourceName(String sourceUidSha256) {
    GroundTruth.FileEntry source = lake.sourceOf(sourceUidSha256);
    assertThat(source.patientName()).isNotBlank();
    return source.patientName();
  }

  /**
   * Runs src/test/python/tensors_check.py with the repo's .venv Python (bin/setup --with-python).
   */
  static JsonNode pythonCheck(Path root) throws Exception {
    Path repo = Path.of("..").toAbsolutePath().normalize();
    Path python = repo.resolve(".venv/bin/python");
    assertThat(python).as("pyarrow, numpy, pydicom: run bin/setup --with-python").isExecutable();
    Path log = Files.createTempFile("tensors-check-", ".log");
    Process p =
        new ProcessBuilder(
                python.toString(),
                repo.resolve("extract-jobs/src/test/python/tensors_check.py").toString(),
                root.toString(),
                repo.resolve("docs/ml-ready.md").toString())
            .redirectError(log.toFile())
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(10, TimeUnit.MINUTES)).isTrue();
    assertThat(p.exitValue()).as("stderr: %s", Files.readString(log)).isZero();
    return new ObjectMapper().readTree(out.strip());
  }
}
