package org.imaginglakehouse.core.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.imaginglakehouse.core.LakehouseException;
import org.imaginglakehouse.core.config.LakehouseConfig;
import org.imaginglakehouse.core.config.Secrets;
import org.imaginglakehouse.core.maintenance.OptimizeJob;
import org.imaginglakehouse.core.testing.SparkTestBase;
import org.imaginglakehouse.core.zone.Zone;
import org.imaginglakehouse.core.zone.ZoneLayout;
import org.junit.jupiter.api.Test;

class JobRunLogTest extends SparkTestBase {

  @Test
  void everyRunIsRecordedWithCountsTimingsAndStatus() {
    LakehouseConfig config = newHomeConfig("runs");
    ZoneLayout layout = ZoneLayout.from(config);
    String table = layout.table(Zone.DEIDENTIFIED, "study");
    for (int i = 0; i < 3; i++) {
      spark().range(i * 10, i * 10 + 10).write().format("delta").mode("append").save(table);
    }
    OptimizeJob job =
        new OptimizeJob(
            spark(),
            config,
            JobOptions.of(config, OptimizeJob.NAME, Map.of("zone", "deidentified")));
    JobResult result = job.execute();

    assertThat(result.status()).isEqualTo(JobStatus.SUCCEEDED);
    // deidentified.study and the zone's own job_runs table (written when the run started).
    assertThat(result.count("tables")).isEqualTo(2);
    assertThat(result.count("files_compacted")).isGreaterThanOrEqualTo(3);
    assertThat(result.summary()).contains("optimize run " + result.runId()).contains("tables");

    List<Row> runs =
        spark()
            .read()
            .format("delta")
            .load(layout.table(Zone.DEIDENTIFIED, JobRunLog.TABLE))
            .where("run_id = '" + result.runId() + "'")
            .collectAsList();
    assertThat(runs).hasSize(1);
    Row run = runs.get(0);
    assertThat(run.<String>getAs("status")).isEqualTo("SUCCEEDED");
    assertThat(run.<String>getAs("job")).isEqualTo("optimize");
    assertThat(run.<Object>getAs("ended_at")).isNotNull();
    assertThat(run.getJavaMap(run.fieldIndex("options"))).containsEntry("zone", "deidentified");
    assertThat(run.getJavaMap(run.fieldIndex("counts"))).containsKey("tables");
  }

  @Test
  void failedRunsAreRecordedWithARedactedError() throws Exception {
    LakehouseConfig base = newHomeConfig("failing");
    Path secretFile = Files.writeString(tempDir.resolve("hmac"), "s3cr3t-value-never-logged");
    LakehouseConfig config = base.with("jobs.failing.key-file", secretFile.toString());
    Secrets.resolve(config, Map.of(), "jobs.failing.key-file", List.of()).orElseThrow();

    AbstractJob<JobResult> failing =
        new AbstractJob<>(spark(), config, JobOptions.of(config, "failing", Map.of())) {
          @Override
          public String name() {
            return "failing";
          }

          @Override
          protected Zone runLogZone() {
            return Zone.IDENTIFIABLE;
          }

          @Override
          protected JobStatus run(RunContext run) {
            run.count("files_seen", 2);
            throw new LakehouseException("Cannot use key s3cr3t-value-never-logged: rejected");
          }

          @Override
          protected JobResult result(JobResult generic) {
            return generic;
          }
        };
    assertThatThrownBy(failing::execute).isInstanceOf(LakehouseException.class);

    Row run =
        spark()
            .read()
            .format("delta")
            .load(ZoneLayout.from(config).table(Zone.IDENTIFIABLE, JobRunLog.TABLE))
            .where("job = 'failing'")
            .first();
    assertThat(run.<String>getAs("status")).isEqualTo("FAILED");
    assertThat(run.<String>getAs("error")).isEqualTo("Cannot use key ****: rejected");
    assertThat(run.getJavaMap(run.fieldIndex("counts"))).containsEntry("files_seen", 2L);
    assertThat(
            spark()
                .read()
                .format("delta")
                .load(ZoneLayout.from(config).table(Zone.IDENTIFIABLE, JobRunLog.TABLE))
                .toJSON()
                .collectAsList()
                .toString())
        .doesNotContain("s3cr3t-value-never-logged");
  }
}
