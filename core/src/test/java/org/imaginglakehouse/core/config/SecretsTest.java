package org.imaginglakehouse.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretsTest {
  @TempDir Path dir;

  @Test
  void environmentWinsOverFileAndValueIsNeverPrinted() throws Exception {
    Path file = dir.resolve("key");
    Files.writeString(file, "from-file-value\n");
    LakehouseConfig config =
        LakehouseConfig.builder().flag("x.secret-file", file.toString()).build();

    Secret fromEnv =
        Secrets.resolve(
                config,
                Map.of("MY_SECRET", "from-env-value"),
                "x.secret-file",
                List.of("MY_SECRET"))
            .orElseThrow();
    assertThat(fromEnv.reveal()).isEqualTo("from-env-value");
    assertThat(fromEnv.toString()).doesNotContain("from-env-value").contains("env MY_SECRET");

    Secret fromFile =
        Secrets.resolve(config, Map.of(), "x.secret-file", List.of("MY_SECRET")).orElseThrow();
    assertThat(fromFile.reveal()).isEqualTo("from-file-value");
    assertThat(Secrets.redact("error talking to s3 with from-file-value and from-env-value"))
        .isEqualTo("error talking to s3 with **** and ****");
  }

  @Test
  void absentSecretIsEmptyButUnreadableFileIsAnError() {
    LakehouseConfig none = LakehouseConfig.defaults();
    assertThat(Secrets.resolve(none, Map.of(), "x.secret-file", List.of("NOPE"))).isEmpty();
    LakehouseConfig missing =
        LakehouseConfig.builder().flag("x.secret-file", dir.resolve("absent").toString()).build();
    assertThatThrownBy(() -> Secrets.resolve(missing, Map.of(), "x.secret-file", List.of()))
        .hasMessageContaining("Cannot read secret file");
  }

  @Test
  void aBinarySecretFileIsRefusedWithWhatToWriteInstead() throws Exception {
    Path binary = Files.write(dir.resolve("binary.key"), new byte[] {(byte) 0xC3, 0x28, 0x7F, -1});
    LakehouseConfig config =
        LakehouseConfig.builder().flag("x.secret-file", binary.toString()).build();
    assertThatThrownBy(() -> Secrets.resolve(config, Map.of(), "x.secret-file", List.of()))
        .hasMessageContaining("Cannot read secret file " + binary + " (from x.secret-file)")
        .hasMessageContaining("not UTF-8 text")
        .hasMessageContaining("openssl rand -hex 32");
  }
}
