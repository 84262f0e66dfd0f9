package org.imaginglakehouse.extract.deid;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.imaginglakehouse.core.LakehouseException;
import org.imaginglakehouse.core.config.LakehouseConfig;
import org.imaginglakehouse.core.config.Secret;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProjectKeysTest {
  private static final String KEY = "f".repeat(40) + "0123456789abcdef0123";
  private static final String OTHER_KEY = "e".repeat(64);

  @TempDir Path dir;

  @Test
  void keyComesFromTheEnvironmentFirst() throws Exception {
    Path file = Files.writeString(dir.resolve("k"), OTHER_KEY + "\n");
    LakehouseConfig config =
        LakehouseConfig.builder().flag("projects.gbm-2026.key-file", file.toString()).build();
    Secret secret =
        ProjectKeys.resolve(config, "gbm-2026", Map.of("LAKEHOUSE_PROJECT_GBM_2026_KEY", KEY));
    assertThat(secret.reveal()).isEqualTo(KEY);
    assertThat(secret.name()).isEqualTo("env LAKEHOUSE_PROJECT_GBM_2026_KEY");
    assertThat(secret.toString()).doesNotContain(KEY);
  }

  @Test
  void keyComesFromTheFileNamedByEnvOrConfig() throws Exception {
    Path fromConfig = Files.writeString(dir.resolve("config.key"), OTHER_KEY + "\n");
    Path fromEnv = Files.writeString(dir.resolve("env.key"), KEY);
    LakehouseConfig config =
        LakehouseConfig.builder().flag("projects.gbm-2026.key-file", fromConfig.toString()).build();
    assertThat(ProjectKeys.resolve(config, "gbm-2026", Map.of()).reveal()).isEqualTo(OTHER_KEY);
    Secret viaEnvFile =
        ProjectKeys.resolve(
            config, "gbm-2026", Map.of("LAKEHOUSE_PROJECT_GBM_2026_KEY_FILE", fromEnv.toString()));
    assertThat(viaEnvFile.reveal()).isEqualTo(KEY);
    assertThat(viaEnvFile.name()).isEqualTo("file " + fromEnv);
  }

  @Test
  void missingKeyNamesWhereToPutIt() {
    assertThatThrownBy(
            () ->
                ProjectKeys.resolve(
                    LakehouseConfig.defaults(),
                    "gbm-2026",
                    Map.of("LAKEHOUSE_PROJECT_OTHER_KEY", KEY)))
        .isInstanceOf(LakehouseException.class)
        .hasMessageContaining("No key for project 'gbm-2026'")
        .hasMessageContaining("LAKEHOUSE_PROJECT_GBM_2026_KEY")
        .hasMessageContaining("LAKEHOUSE_PROJECT_GBM_2026_KEY_FILE")
        .hasMessageContaining("projects.gbm-2026.key-file")
        .hasMessageNotContaining(KEY);
  }

  @Test
  void shortKeyUnreadableFileAndBadNamesAreClearErrorsWithoutTheValue() {
    String shortKey = "short-but-secret-value";
    assertThatThrownBy(
            () ->
                ProjectKeys.resolve(
                    LakehouseConfig.defaults(), "p1", Map.of("LAKEHOUSE_PROJECT_P1_KEY", shortKey)))
        .hasMessageContaining("too short (22 bytes)")
        .hasMessageContaining("env LAKEHOUSE_PROJECT_P1_KEY")
        .hasMessageNotContaining(shortKey);
    LakehouseConfig missingFile =
        LakehouseConfig.builder()
            .flag("projects.p1.key-file", dir.resolve("absent").toString())
            .build();
    assertThatThrownBy(() -> ProjectKeys.resolve(missingFile, "p1", Map.of()))
        .hasMessageContaining("Cannot read secret file");
    assertThatThrownBy(() -> ProjectKeys.resolve(LakehouseConfig.defaults(), "P 1", Map.of()))
        .hasMessageContaining("Invalid project name");
    // The key itself can never be configured: the config refuses a key-like name.
    assertThatThrownBy(() -> LakehouseConfig.builder().flag("projects.p1.hmac-key", KEY).build())
        .hasMessageContaining("Refusing configuration key");
  }

  @Test
  void resolvedKeyDrivesThePseudonyms() {
    Secret secret =
        ProjectKeys.resolve(
            LakehouseConfig.defaults(), "p1", Map.of("LAKEHOUSE_PROJECT_P1_KEY", KEY));
    HmacProjectPseudonyms p = HmacProjectPseudonyms.of(secret, "p1");
    assertThat(p.keyId())
        .isEqualTo(
            HmacProjectPseudonyms.fingerprint(
                KEY.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    assertThat(p.uid("1.2.3")).startsWith("2.25.");
  }
}
