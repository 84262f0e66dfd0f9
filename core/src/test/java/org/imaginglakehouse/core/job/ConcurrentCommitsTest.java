package org.imaginglakehouse.core.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.ConcurrentModificationException;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.imaginglakehouse.core.LakehouseException;
import org.junit.jupiter.api.Test;

class ConcurrentCommitsTest {
  /** A conflict as Delta throws it: a subclass, wrapped by Spark. */
  private static final class Conflict extends ConcurrentModificationException {
    Conflict() {
      super("conflicting commit: SOPInstanceUID = '1.2.3.4' (identifying)");
    }
  }

  private final List<Long> waits = new ArrayList<>();

  private ConcurrentCommits commits(int attempts) {
    return new ConcurrentCommits("ingest", attempts, 100, waits::add, w -> w);
  }

  @Test
  void aConflictedStepRunsAgainAfterGrowingWaitsUntilItCommits() {
    AtomicInteger calls = new AtomicInteger();
    String result =
        commits(5)
            .retry(
                "identifiable.instances",
                () -> {
                  if (calls.incrementAndGet() < 3) {
                    throw new RuntimeException("wrapped", new Conflict());
                  }
                  return "committed";
                });
    assertThat(result).isEqualTo("committed");
    assertThat(calls).hasValue(3);
    assertThat(waits).containsExactly(100L, 200L);
  }

  @Test
  void everyAttemptConflictingFailsNamingTheTableAndTheRerunWithoutDeltasMessage() {
    AtomicInteger calls = new AtomicInteger();
    assertThatThrownBy(
            () ->
                commits(3)
                    .run(
                        "identifiable.file_index",
                        () -> {
                          calls.incrementAndGet();
                          throw new Conflict();
                        }))
        .isInstanceOf(LakehouseException.class)
        .hasMessageContaining("identifiable.file_index")
        .hasMessageContaining("Conflict, 3 attempts")
        .hasMessageContaining("Re-run `lakehouse ingest`")
        .hasMessageNotContaining("1.2.3.4");
    assertThat(calls).hasValue(3);
    assertThat(waits).containsExactly(100L, 200L);
  }

  @Test
  void otherFailuresAndGivenUpStepsPassThroughAtOnce() {
    AtomicInteger calls = new AtomicInteger();
    assertThatThrownBy(
            () ->
                commits(4)
                    .run(
                        "t",
                        () -> {
                          calls.incrementAndGet();
                          throw new IllegalStateException("disk full");
                        }))
        .isInstanceOf(IllegalStateException.class);
    assertThat(calls).hasValue(1);
    // A nested step that gave up is final: the outer step does not multiply its attempts.
    ConcurrentCommits commits = commits(3);
    assertThatThrownBy(
            () ->
                commits.run(
                    "outer",
                    () -> {
                      calls.incrementAndGet();
                      commits.run(
                          "inner",
                          () -> {
                            throw new Conflict();
                          });
                    }))
        .hasMessageContaining("inner");
    assertThat(calls).hasValue(2);
  }

  @Test
  void aStepThatMustNotRunTwiceFailsOnItsFirstConflict() {
    AtomicInteger calls = new AtomicInteger();
    assertThatThrownBy(
            () ->
                commits(5)
                    .once(
                        "identifiable.instances",
                        () -> {
                          calls.incrementAndGet();
                          throw new RuntimeException(new Conflict());
                        }))
        .isInstanceOf(LakehouseException.class)
        .hasMessageContaining("identifiable.instances")
        .hasMessageContaining("(Conflict)")
        .hasMessageContaining("Re-run");
    assertThat(calls).hasValue(1);
    assertThat(waits).isEmpty();
  }

  @Test
  void creatingATableRetriesWhileAnotherRunsCreationIsUnderWay() {
    AtomicInteger calls = new AtomicInteger();
    commits(4)
        .creating(
            "identifiable.job_runs",
            () -> {
              if (calls.incrementAndGet() == 1) {
                // As Delta throws it from Scala: a checked exception no Java signature declares.
                ConcurrentCommitsTest.<RuntimeException>sneaky(
                    new Exception("[DELTA_CREATE_TABLE_WITH_NON_EMPTY_LOCATION] Cannot create"));
              }
            });
    assertThat(calls).hasValue(2);
    // Elsewhere the same condition is no conflict.
    assertThatThrownBy(
            () ->
                commits(4)
                    .run(
                        "t",
                        () -> {
                          throw new IllegalStateException(
                              "[DELTA_CREATE_TABLE_WITH_NON_EMPTY_LOCATION] Cannot create table");
                        }))
        .isInstanceOf(IllegalStateException.class);
  }

  @SuppressWarnings("unchecked")
  private static <E extends Exception> void sneaky(Exception e) throws E {
    throw (E) e;
  }
}
