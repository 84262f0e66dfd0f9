package org.imaginglakehouse.core.spark;

import org.apache.spark.sql.Dataset;
import org.apache.spark.storage.StorageLevel;

/**
 * Local checkpoints (a result computed once and kept by the executors, its lineage cut) that
 * another executor can read.
 *
 * <p>{@code Dataset.localCheckpoint(true)} keeps each partition as deserialized objects. An empty
 * partition kept that way reports an estimated size above zero but serializes to no bytes, and an
 * executor that fetches it from another one rejects the empty answer ("Empty buffer received for
 * non empty block", SPARK-59403, open in Spark 4.2); a local checkpoint cannot be recomputed, so
 * the task fails with CHECKPOINT_RDD_BLOCK_ID_NOT_FOUND and the job with it. Seen on a standalone
 * cluster of two executors (promote, 18,961 files; docs/benchmarks.md, "Scaling"); never with one
 * executor, as in {@code local[N]}. Kept serialized, a partition's reported size is its byte count,
 * so an empty one is fetched as empty.
 */
public final class Checkpoints {
  /** How every local checkpoint of the lakehouse keeps its partitions. */
  public static final StorageLevel LEVEL = StorageLevel.MEMORY_AND_DISK_SER();

  private Checkpoints() {}

  /** {@code rows} computed now and kept by the executors ({@link #LEVEL}), lineage cut. */
  public static <T> Dataset<T> local(Dataset<T> rows) {
    return rows.localCheckpoint(true, LEVEL);
  }
}
