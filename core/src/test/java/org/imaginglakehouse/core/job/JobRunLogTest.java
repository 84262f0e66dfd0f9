package org.imaginglakehouse.core.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

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

  @Test
  void theEndOfARunReplacesItsStartRowInOneCommitWithoutAMerge() {
    LakehouseConfig config = newHomeConfig("replaced");
    String table = ZoneLayout.from(config).table(Zone.IDENTIFIABLE, JobRunLog.TABLE);
    JobResult first = countingJob(config, 3).execute();
    JobResult second = countingJob(config, 5).execute();

    List<Row> runs =
        spark().read().format("delta").load(table).orderBy("started_at").collectAsList();
    assertThat(runs)
        .extracting(r -> r.<String>getAs("run_id"), r -> r.<String>getAs("status"))
        .containsExactly(tuple(first.runId(), "SUCCEEDED"), tuple(second.runId(), "SUCCEEDED"));
    assertThat(runs.get(1).getJavaMap(runs.get(1).fieldIndex("counts")))
        .containsEntry("things", 5L);
    assertThat(runs.get(1).getJavaMap(runs.get(1).fieldIndex("timings_ms")))
        .containsKey("job_runs_start");
    // Each end removed the start row's file: one file per run, and no MERGE in the history.
    assertThat(spark().read().format("delta").load(table).inputFiles()).hasSize(2);
    List<String> operations =
        io.delta.tables.DeltaTable.forPath(spark(), table)
            .history()
            .orderBy("version")
            .selectExpr("concat(operation, ' ', coalesce(operationParameters['predicate'], ''))")
            .as(org.apache.spark.sql.Encoders.STRING())
            .collectAsList();
    assertThat(operations)
        .noneMatch(op -> op.startsWith("MERGE"))
        .contains(
            "WRITE run_id = '" + first.runId() + "'", "WRITE run_id = '" + second.runId() + "'");
  }

  @Test
  void aStartRowCompactedAwayDuringTheRunIsCompletedByAMerge() {
    LakehouseConfig config = newHomeConfig("compacted");
    String table = ZoneLayout.from(config).table(Zone.DEIDENTIFIED, JobRunLog.TABLE);
    // Two earlier runs leave two job_runs files; the OPTIMIZE below compacts them together with
    // its own start row, so its end cannot replace that row's file.
    countingJob(config, Zone.DEIDENTIFIED, 1).execute();
    countingJob(config, Zone.DEIDENTIFIED, 2).execute();
    JobResult optimize =
        new OptimizeJob(
                spark(),
                config,
                JobOptions.of(config, OptimizeJob.NAME, Map.of("zone", "deidentified")))
            .execute();
    assertThat(optimize.count("files_compacted")).isGreaterThanOrEqualTo(3);

    List<Row> rows =
        spark()
            .read()
            .format("delta")
            .load(table)
            .where("run_id = '" + optimize.runId() + "'")
            .collectAsList();
    assertThat(rows).hasSize(1);
    assertThat(rows.get(0).<String>getAs("status")).isEqualTo("SUCCEEDED");
    assertThat(spark().read().format("delta").load(table).count()).isEqualTo(3);
    String lastOperation =
        io.delta.tables.DeltaTable.forPath(spark(), table)
            .history(1)
            .select("operation")
            .first()
            .getString(0);
    assertThat(lastOperation).isEqualTo("MERGE");
  }

  @Test
  void aJobsRunSettingsHoldForItsRunOnlyAndTheSessionsOwnValuesComeBackEvenAfterAFailure() {
    LakehouseConfig config = newHomeConfig("settings");
    String wholeStage = "spark.sql.codegen.wholeStage";
    String factory = "spark.sql.codegen.factoryMode";
    String sessionWholeStage = spark().conf().get(wholeStage);
    String sessionFactory = spark().conf().get(factory);
    List<String> seen = new java.util.ArrayList<>();
    for (boolean fail : List.of(false, true)) {
      AbstractJob<JobResult> job =
          job(
              config,
              "small",
              Zone.DEIDENTIFIED,
              org.imaginglakehouse.core.spark.SessionSettings.INTERPRETED,
              false,
              run -> {
                seen.add(spark().conf().get(wholeStage) + "/" + spark().conf().get(factory));
                // A query in the run is evaluated without generated code and still answers.
                run.count("rows", spark().range(10).where("id % 2 = 0").count());
                if (fail) {
                  throw new LakehouseException("failed on purpose");
                }
                return JobStatus.SUCCEEDED;
              });
      if (fail) {
        assertThatThrownBy(job::execute).hasMessage("failed on purpose");
      } else {
        assertThat(job.execute().count("rows")).isEqualTo(5);
      }
      assertThat(spark().conf().get(wholeStage)).isEqualTo(sessionWholeStage);
      assertThat(spark().conf().get(factory)).isEqualTo(sessionFactory);
    }
    assertThat(sessionWholeStage + "/" + sessionFactory).isNotEqualTo("false/NO_CODEGEN");
    assertThat(seen).containsExactly("false/NO_CODEGEN", "false/NO_CODEGEN");
    assertThat(
            spark()
                .read()
                .format("delta")
                .load(ZoneLayout.from(config).table(Zone.DEIDENTIFIED, JobRunLog.TABLE))
                .where("job = 'small'")
                .select("status")
                .as(org.apache.spark.sql.Encoders.STRING())
                .collectAsList())
        .containsExactlyInAnyOrder("SUCCEEDED", "FAILED");
  }

  @Test
  void aJobRecordingItsStartAlongsideIsOnRecordBeforeItWritesAndItsFailureIsRecorded() {
    LakehouseConfig config = newHomeConfig("alongside");
    String table = ZoneLayout.from(config).table(Zone.IDENTIFIABLE, JobRunLog.TABLE);
    List<String> seenAfterAwait = new java.util.ArrayList<>();
    List<String> statuses = new java.util.ArrayList<>();
    for (boolean fail : List.of(false, true)) {
      AbstractJob<JobResult> job =
          job(
              config,
              "alongside",
              Zone.IDENTIFIABLE,
              Map.of(),
              true,
              run -> {
                run.count("read", spark().range(5).count());
                run.awaitStartRecorded();
                // The run's own row is in the table, RUNNING, before the run writes anything.
                seenAfterAwait.addAll(
                    spark()
                        .read()
                        .format("delta")
                        .load(table)
                        .where("run_id = '" + run.runId() + "'")
                        .select("status")
                        .as(org.apache.spark.sql.Encoders.STRING())
                        .collectAsList());
                if (fail) {
                  throw new LakehouseException("failed after its start was recorded");
                }
                return JobStatus.SUCCEEDED;
              });
      if (fail) {
        assertThatThrownBy(job::execute).hasMessage("failed after its start was recorded");
      } else {
        JobResult done = job.execute();
        assertThat(done.timingsMillis()).containsKey("job_runs_start");
      }
    }
    assertThat(seenAfterAwait).containsExactly("RUNNING", "RUNNING");
    statuses.addAll(
        spark()
            .read()
            .format("delta")
            .load(table)
            .where("job = 'alongside'")
            .orderBy("started_at")
            .select("status")
            .as(org.apache.spark.sql.Encoders.STRING())
            .collectAsList());
    assertThat(statuses).containsExactly("SUCCEEDED", "FAILED");
  }

  private AbstractJob<JobResult> countingJob(LakehouseConfig config, long things) {
    return countingJob(config, Zone.IDENTIFIABLE, things);
  }

  private AbstractJob<JobResult> countingJob(LakehouseConfig config, Zone zone, long things) {
    return job(
        config,
        "counting",
        zone,
        Map.of(),
        false,
        run -> {
          run.count("things", things);
          return JobStatus.SUCCEEDED;
        });
  }

  /** A job named {@code name} whose run is {@code body}. */
  private AbstractJob<JobResult> job(
      LakehouseConfig config,
      String name,
      Zone zone,
      Map<String, String> settings,
      boolean alongside,
      java.util.function.Function<RunContext, JobStatus> body) {
    return new AbstractJob<>(spark(), config, JobOptions.of(config, name, Map.of())) {
      @Override
      public String name() {
        return name;
      }

      @Override
      protected Zone runLogZone() {
        return zone;
      }

      @Override
      protected Map<String, String> runSettings() {
        return settings;
      }

      @Override
      protected boolean recordsStartAlongside() {
        return alongside;
      }

      @Override
      protected JobStatus run(RunContext run) {
        return body.apply(run);
      }

      @Override
      protected JobResult result(JobResult generic) {
        return generic;
      }
    };
  }
}
