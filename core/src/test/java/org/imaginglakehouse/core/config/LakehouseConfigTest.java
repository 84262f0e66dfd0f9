package org.imaginglakehouse.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.imaginglakehouse.core.LakehouseException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LakehouseConfigTest {
  @TempDir Path dir;

  private Path writeConfig(String yaml) throws Exception {
    Path file = dir.resolve("lakehouse.yaml");
    Files.writeString(file, yaml);
    return file;
  }

  @Test
  void defaultsApplyWithoutFileEnvOrFlags() {
    LakehouseConfig config =
        LakehouseConfig.builder().configFile(null, Map.of()).environment(Map.of()).build();
    assertThat(config.home()).isEqualTo("./lakehouse-data");
    assertThat(config.get("spark.master")).contains("local[2]");
    assertThat(config.sourceOf("home")).isEqualTo("default");
  }

  @Test
  void laterLayersWin_defaultsThenFileThenEnvThenFlags() throws Exception {
    Path file =
        writeConfig(
            "home: /from/file\nspark:\n  master: local[1]\n  conf:\n    spark.sql.shuffle.partitions: 3\n");
    LakehouseConfig fileOnly = LakehouseConfig.builder().configFile(file, Map.of()).build();
    assertThat(fileOnly.home()).isEqualTo("/from/file");
    assertThat(fileOnly.get("spark.master")).contains("local[1]");
    assertThat(fileOnly.withPrefix("spark.conf"))
        .containsEntry("spark.sql.shuffle.partitions", "3");

    Map<String, String> env = Map.of("LAKEHOUSE_HOME", "/from/env");
    LakehouseConfig withEnv =
        LakehouseConfig.builder().configFile(file, env).environment(env).build();
    assertThat(withEnv.home()).isEqualTo("/from/env");
    assertThat(withEnv.sourceOf("home")).isEqualTo("env LAKEHOUSE_HOME");

    LakehouseConfig withFlag =
        LakehouseConfig.builder()
            .configFile(file, env)
            .environment(env)
            .flag("home", "/from/flag")
            .flagAssignment("spark.master=local[4]")
            .build();
    assertThat(withFlag.home()).isEqualTo("/from/flag");
    assertThat(withFlag.get("spark.master")).contains("local[4]");
  }

  @Test
  void configFileComesFromEnvironmentVariableWhenNoFlag() throws Exception {
    Path file = writeConfig("home: /via/env/config\n");
    LakehouseConfig config =
        LakehouseConfig.builder()
            .configFile(null, Map.of("LAKEHOUSE_CONFIG", file.toString()))
            .build();
    assertThat(config.home()).isEqualTo("/via/env/config");
  }

  @Test
  void explicitConfigFileMustExist() {
    assertThatThrownBy(
            () -> LakehouseConfig.builder().configFile(dir.resolve("missing.yaml"), Map.of()))
        .isInstanceOf(LakehouseException.class)
        .hasMessageContaining("missing.yaml")
        .hasMessageContaining("no such file");
  }

  @Test
  void secretValuesAreRefusedFromFlagsAndFiles() throws Exception {
    assertThatThrownBy(
            () -> LakehouseConfig.builder().flagAssignment("s3.secret-access-key=abc123secret"))
        .isInstanceOf(LakehouseException.class)
        .hasMessageContaining("secrets must come from the environment or a file")
        .hasMessageNotContaining("abc123secret");
    assertThatThrownBy(
            () ->
                LakehouseConfig.builder()
                    .flag("spark.conf.spark.hadoop.fs.s3a.secret.key", "abc123secret"))
        .isInstanceOf(LakehouseException.class);
    Path file = writeConfig("jobs:\n  promote:\n    hmac-key: topsecretvalue\n");
    assertThatThrownBy(() -> LakehouseConfig.builder().configFile(file, Map.of()))
        .isInstanceOf(LakehouseException.class)
        .hasMessageContaining("jobs.promote.hmac-key")
        .hasMessageNotContaining("topsecretvalue");
    // Naming where a secret lives is fine.
    LakehouseConfig ok =
        LakehouseConfig.builder().flag("s3.secret-access-key-file", "/run/keys/s3").build();
    assertThat(ok.get("s3.secret-access-key-file")).contains("/run/keys/s3");
  }

  @Test
  void typedGettersExplainBadValues() {
    LakehouseConfig config = LakehouseConfig.builder().flag("jobs.x.n", "many").build();
    assertThatThrownBy(() -> config.getInt("jobs.x.n", 1))
        .hasMessageContaining("jobs.x.n=many")
        .hasMessageContaining("expected a number");
    assertThat(config.getInt("jobs.x.absent", 7)).isEqualTo(7);
  }

  @Test
  void listsInYamlBecomeCommaSeparatedValues() throws Exception {
    Path file = writeConfig("catalog:\n  zones: [deidentified]\n");
    assertThat(LakehouseConfig.builder().configFile(file, Map.of()).build().get("catalog.zones"))
        .contains("deidentified");
  }
}
