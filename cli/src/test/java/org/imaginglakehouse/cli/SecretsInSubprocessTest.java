package org.imaginglakehouse.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the CLI as its own process, as Airflow does, with S3 keys in files and in the environment,
 * and checks that no output, log line or job_runs row ever shows them.
 */
class SecretsInSubprocessTest {
  @TempDir Path dir;

  private record Result(int exitCode, String output) {}

  private static Result lakehouse(List<String> env, String... args) throws Exception {
    CliProcess.Result run = CliProcess.run(env, args);
    return new Result(run.exitCode(), new String(run.bytes(), StandardCharsets.UTF_8));
  }

  @Test
  void secretsNeverAppearInOutputLogsOrRunLog() throws Exception {
    String fileSecret = "FILE-SECRET-wJalrXUtnFEMI";
    String envSecret = "ENV-SECRET-bPxRfiCYEXAMPLEKEY";
    Path id = Files.writeString(dir.resolve("s3-id"), "AKIDFILE1234");
    Path secret = Files.writeString(dir.resolve("s3-secret"), fileSecret);
    Path home = dir.resolve("home");

    Result optimize =
        lakehouse(
            List.of(),
            "--verbose",
            "--home",
            home.toString(),
            "--conf",
            "s3.access-key-id-file=" + id,
            "--conf",
            "s3.secret-access-key-file=" + secret,
            "--conf",
            "s3.endpoint=http://127.0.0.1:1",
            "optimize",
            "--zone",
            "identifiable");
    assertThat(optimize.exitCode()).as(optimize.output()).isZero();
    assertThat(optimize.output()).contains("optimize run").doesNotContain(fileSecret);

    List<String> secretEnv =
        List.of(
            "LAKEHOUSE_S3_ACCESS_KEY_ID=AKIDENV12345",
            "LAKEHOUSE_S3_SECRET_ACCESS_KEY=" + envSecret);
    Result runLog =
        lakehouse(
            secretEnv,
            "--verbose",
            "--home",
            home.toString(),
            "sql",
            "--zone",
            "identifiable",
            "--format",
            "json",
            "SELECT * FROM identifiable.job_runs WHERE job = 'optimize'");
    assertThat(runLog.exitCode()).as(runLog.output()).isZero();
    assertThat(runLog.output()).contains("\"status\":\"SUCCEEDED\"");
    assertThat(runLog.output()).doesNotContain(fileSecret).doesNotContain(envSecret);

    Result settings = lakehouse(secretEnv, "--home", home.toString(), "sql", "SET -v");
    assertThat(settings.exitCode()).as(settings.output()).isZero();
    assertThat(settings.output()).doesNotContain(envSecret);
    Result one =
        lakehouse(
            secretEnv, "--home", home.toString(), "sql", "SET spark.hadoop.fs.s3a.secret.key");
    assertThat(one.output()).doesNotContain(envSecret);
  }
}
