package org.imaginglakehouse.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** How many Spark tasks (= instances data files) a batch gets; no Spark needed. */
class IngestTasksTest {
  @Test
  void smallBatchesWriteOneFile() {
    assertThat(IngestJob.tasks(1, 100_000, 2)).isEqualTo(1);
    assertThat(IngestJob.tasks(100, 100_000, 2)).isEqualTo(1);
    assertThat(IngestJob.tasks(1_000, 100_000, 2)).isEqualTo(1);
    assertThat(IngestJob.tasks(1_500, 100_000, 8)).isEqualTo(2);
  }

  @Test
  void largeBatchesKeepEveryCoreBusy() {
    assertThat(IngestJob.tasks(100_000, 100_000, 2)).isEqualTo(2);
    assertThat(IngestJob.tasks(250_000, 100_000, 2)).isEqualTo(4);
    assertThat(IngestJob.tasks(250_000, 10_000, 2)).isEqualTo(26);
    assertThat(IngestJob.tasks(250_000, 100_000, 1)).isEqualTo(3);
    assertThat(IngestJob.tasks(5_000, 1, 0)).isEqualTo(5);
  }
}
