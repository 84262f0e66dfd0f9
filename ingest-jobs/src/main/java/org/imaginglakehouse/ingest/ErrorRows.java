package org.imaginglakehouse.ingest;

import io.delta.kernel.types.StringType;
import io.delta.kernel.types.StructType;
import java.util.List;
import org.apache.hadoop.conf.Configuration;

/**
 * Counts the rows of {@code ingest_errors} on the driver, for the run summary's "on record". A
 * Spark {@code count()} was the process's first Delta scan at the end of every ingest: 1-6 s of
 * state reconstruction and code generation for a table that usually holds a handful of rows or
 * none. Delta Kernel reads one column of its files in plain Java instead (deletion vectors
 * honoured, see {@link DriverScan}).
 */
final class ErrorRows {
  private static final StructType PATH_COLUMN =
      new StructType().add("file_path", StringType.STRING);

  private ErrorRows() {}

  /** Rows of the latest version of the Delta table {@code errorsPath}. */
  static long count(Configuration hadoopConf, String errorsPath) {
    List<long[]> perFile =
        DriverScan.read(
            hadoopConf,
            errorsPath,
            DriverScan.LATEST,
            PATH_COLUMN,
            () -> new long[1],
            (into, batch, row) -> into[0]++);
    long rows = 0;
    for (long[] n : perFile) {
      rows += n[0];
    }
    return rows;
  }
}
