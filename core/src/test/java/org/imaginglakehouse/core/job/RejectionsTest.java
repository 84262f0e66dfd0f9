package org.imaginglakehouse.core.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class RejectionsTest {
  private static final String NL = System.lineSeparator();

  private static Rejections of(long fresh, long onRecord, List<String> examples) {
    return new Rejections(
        fresh,
        onRecord,
        examples,
        "identifiable",
        "identifiable.ingest_errors",
        Rejections.runIdIs("r-1"),
        null);
  }

  @Test
  void exitCodeThreeOnlyForRejectionsNewThisRun() {
    assertThat(of(1, 1, List.of()).status()).isEqualTo(JobStatus.COMPLETED_WITH_REJECTIONS);
    assertThat(of(0, 7, List.of()).status()).isEqualTo(JobStatus.SUCCEEDED);
    assertThat(of(0, 0, List.of()).status()).isEqualTo(JobStatus.SUCCEEDED);
  }

  @Test
  void summaryShowsAtMostFiveNewOnesAndTheQueries() {
    List<String> seven = IntStream.range(0, 7).mapToObj(i -> "truncated: p/" + i).toList();
    String text = of(7, 9, seven).describe();
    assertThat(text)
        .startsWith("  rejections: 7 new this run (exit code 3), 9 on record" + NL)
        .contains("    truncated: p/4" + NL + "    ... and 2 more" + NL)
        .doesNotContain("p/5")
        .contains(
            "  list this run's: bin/lakehouse sql --zone identifiable \"SELECT * FROM"
                + " identifiable.ingest_errors WHERE run_id = 'r-1'\""
                + NL,
            "  list all on record: bin/lakehouse sql --zone identifiable \"SELECT * FROM"
                + " identifiable.ingest_errors\""
                + NL);
  }

  @Test
  void aReRunSaysTheRejectionsAreOnRecordAndAnEmptyOneSaysNothing() {
    assertThat(of(0, 3, List.of()).describe())
        .isEqualTo(
            "  rejections: none new this run (exit code 0), 3 on record, recorded and reported by"
                + " earlier runs"
                + NL
                + "  list them: bin/lakehouse sql --zone identifiable \"SELECT * FROM"
                + " identifiable.ingest_errors\""
                + NL);
    assertThat(of(0, 0, List.of()).describe()).isEmpty();
  }

  @Test
  void literalsAreQuotedForSqlAndTheShell() {
    assertThat(Rejections.literal("o'neil\\x")).isEqualTo("'o\\'neil\\\\x'");
    Rejections quoted =
        new Rejections(1, 1, List.of(), "projects", "project_p.rejections", "reason = \"x\"", null);
    assertThat(quoted.thisRunQuery())
        .isEqualTo(
            "bin/lakehouse sql --zone projects \"SELECT * FROM project_p.rejections WHERE reason ="
                + " \\\"x\\\"\"");
  }
}
