package org.imaginglakehouse.core.spark;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.sql.Encoders;
import org.imaginglakehouse.core.testing.SparkTestBase;
import org.junit.jupiter.api.Test;

class ProgressLinesTest extends SparkTestBase {
  @Test
  void slowWorkPrintsPlainLinesWithTasksAndRowsWhenNotOnATerminal() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    try (ProgressLines progress = new ProgressLines(out, false, Duration.ofMillis(400))) {
      spark().sparkContext().addSparkListener(progress);
      try {
        long n =
            spark()
                .range(0, 6, 1, 6)
                .map(
                    (MapFunction<Long, Long>)
                        v -> {
                          Thread.sleep(700);
                          return v;
                        },
                    Encoders.LONG())
                .count();
        assertThat(n).isEqualTo(6);
        spark().sparkContext().listenerBus().waitUntilEmpty();
        // Once the work has ended nothing more is printed for it.
        assertThat(progress.line(System.currentTimeMillis() + 60_000)).isNull();
      } finally {
        spark().sparkContext().removeSparkListener(progress);
      }
    }
    String printed = bytes.toString(StandardCharsets.UTF_8);
    assertThat(printed.lines().toList())
        .isNotEmpty()
        .allSatisfy(
            l ->
                assertThat(l)
                    .matches(
                        "  \\.\\.\\. \\d+/\\d+ tasks, [\\d,]+ rows read, [\\d,]+ rows written, \\dm\\d\\ds"));
    assertThat(printed).doesNotContain("\r").doesNotContain("\033");
  }

  @Test
  void onATerminalOneLineIsRewrittenInPlaceAndClearedAtTheEnd() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    try (ProgressLines progress = new ProgressLines(out, true, Duration.ofMillis(300))) {
      spark().sparkContext().addSparkListener(progress);
      try {
        spark()
            .range(0, 4, 1, 4)
            .map(
                (MapFunction<Long, Long>)
                    v -> {
                      Thread.sleep(800);
                      return v;
                    },
                Encoders.LONG())
            .count();
        // Listener events arrive asynchronously: wait for the bus to deliver the job end.
        spark().sparkContext().listenerBus().waitUntilEmpty();
      } finally {
        spark().sparkContext().removeSparkListener(progress);
      }
    }
    String printed = bytes.toString(StandardCharsets.UTF_8);
    assertThat(printed).startsWith("\r\033[K  ... ").endsWith("\r\033[K").doesNotContain("\n");
  }
}
