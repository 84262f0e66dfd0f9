package org.imaginglakehouse.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI prints UTF-8 whatever the locale of the shell that runs it. */
class CliOutputEncodingTest {
  @TempDir Path dir;

  @Test
  void sqlOutputIsUtf8UnderTheCLocale() throws Exception {
    // The name comes from SQL escapes: under LC_ALL=C the JVM could not decode it from argv.
    CliProcess.Result run =
        CliProcess.run(
            List.of("LC_ALL=C", "LANG=C"),
            "--home",
            dir.resolve("home").toString(),
            "sql",
            "--format",
            "csv",
            "SELECT 'Lef\\u00e8vre^H\\u00e9l\\u00e8ne' AS name");
    String output = new String(run.bytes(), StandardCharsets.UTF_8);
    assertThat(run.exitCode()).as(output).isZero();
    assertThat(output).contains("name\nLefèvre^Hélène\n").doesNotContain("Lef?vre");
  }
}
