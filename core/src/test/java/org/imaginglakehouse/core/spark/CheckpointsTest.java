package org.imaginglakehouse.core.spark;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.apache.spark.SparkEnv;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.BlockData;
import org.apache.spark.storage.BlockManager;
import org.apache.spark.storage.BlockStatus;
import org.apache.spark.storage.RDDBlockId;
import org.imaginglakehouse.core.testing.SparkTestBase;
import org.junit.jupiter.api.Test;
import scala.Option;
import scala.jdk.javaapi.CollectionConverters;

/**
 * A local checkpoint's partitions, empty ones included, report the size of the bytes another
 * executor would receive for them: the condition under which Spark's remote fetch accepts a block
 * (an empty partition kept as deserialized objects reports ~16 bytes and sends none, and the fetch
 * fails: {@link Checkpoints}).
 */
class CheckpointsTest extends SparkTestBase {

  @Test
  void everyPartitionReportsTheSizeOfTheBytesItWouldSend() {
    Set<Object> before = rddIds();
    // Four partitions of 250 ids, three of them empty after the filter.
    Dataset<Row> rows = spark().range(0, 1000, 1, 4).where("id < 250").toDF();

    Dataset<Row> kept = Checkpoints.local(rows);

    assertThat(kept.count()).isEqualTo(250);
    Set<Object> added = rddIds();
    added.removeAll(before);
    assertThat(added).hasSize(1);
    int rddId = (Integer) added.iterator().next();
    BlockManager blocks = SparkEnv.get().blockManager();
    int emptyPartitions = 0;
    for (int p = 0; p < 4; p++) {
      RDDBlockId id = new RDDBlockId(rddId, p);
      BlockStatus status = blocks.getStatus(id).get();
      assertThat(status.storageLevel()).isEqualTo(Checkpoints.LEVEL);
      Option<BlockData> data = blocks.getLocalBytes(id);
      try {
        long sent = data.get().size();
        assertThat(status.memSize() + status.diskSize()).as("partition %d", p).isEqualTo(sent);
        emptyPartitions += sent == 0 ? 1 : 0;
      } finally {
        data.get().dispose();
        blocks.releaseLock(id, Option.empty());
      }
    }
    assertThat(emptyPartitions).isEqualTo(3);
    assertThat(kept.where("id = 249").count()).isEqualTo(1);
  }

  private static Set<Object> rddIds() {
    return new HashSet<>(
        CollectionConverters.asJava(spark().sparkContext().getPersistentRDDs().keySet()));
  }
}
