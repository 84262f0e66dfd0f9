package org.imaginglakehouse.ingest;

import io.delta.kernel.Scan;
import io.delta.kernel.Snapshot;
import io.delta.kernel.Table;
import io.delta.kernel.data.ColumnVector;
import io.delta.kernel.data.ColumnarBatch;
import io.delta.kernel.data.FilteredColumnarBatch;
import io.delta.kernel.data.Row;
import io.delta.kernel.defaults.engine.DefaultEngine;
import io.delta.kernel.engine.Engine;
import io.delta.kernel.engine.FileReadResult;
import io.delta.kernel.internal.InternalScanFileUtils;
import io.delta.kernel.internal.data.ScanStateRow;
import io.delta.kernel.internal.util.Utils;
import io.delta.kernel.types.StructType;
import io.delta.kernel.utils.CloseableIterator;
import io.delta.kernel.utils.FileStatus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;
import org.apache.hadoop.conf.Configuration;
import org.imaginglakehouse.core.LakehouseException;

/**
 * Reads columns of a Delta table on the driver with Delta Kernel, one data file per thread, for
 * results that end on the driver anyway (the change test's fingerprints, the known
 * SOPInstanceUIDs). A Spark scan of the same table spent 3-5 s of a fresh process in Delta's state
 * reconstruction and in compiling generated code before it read a row; Kernel replays the log and
 * reads Parquet in plain Java. Rows deleted through deletion vectors are skipped.
 */
final class DriverScan {
  /** Latest version, for {@link #read}. */
  static final long LATEST = -1;

  /** Takes one surviving row of a batch into a per-file accumulator. */
  @FunctionalInterface
  interface RowReader<A> {
    void read(A into, ColumnarBatch batch, int row);
  }

  private DriverScan() {}

  /**
   * Passes every row of {@code table} at {@code version} ({@link #LATEST} for the latest) to {@code
   * reader}, with {@code columns} (Kernel types, by name) in that order; returns one accumulator
   * per data file, each made by {@code perFile} and filled by one thread.
   */
  static <A> List<A> read(
      Configuration hadoopConf,
      String table,
      long version,
      StructType columns,
      Supplier<A> perFile,
      RowReader<A> reader) {
    Engine engine = DefaultEngine.create(hadoopConf);
    Snapshot snapshot;
    try {
      Table delta = Table.forPath(engine, table);
      snapshot =
          version < 0
              ? delta.getLatestSnapshot(engine)
              : delta.getSnapshotAsOfVersion(engine, version);
    } catch (RuntimeException e) {
      throw new LakehouseException(
          "Cannot read the Delta table " + table + " on the driver: " + e.getMessage(), e);
    }
    Scan scan = snapshot.getScanBuilder().withReadSchema(columns).build();
    Row scanState = scan.getScanState(engine);
    StructType physical = ScanStateRow.getPhysicalDataReadSchema(scanState);
    int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    List<A> out = new ArrayList<>();
    try (CloseableIterator<FilteredColumnarBatch> files = scan.getScanFiles(engine)) {
      while (files.hasNext()) {
        // One batch of scan files at a time: its rows are only valid while it is the current one.
        List<Future<A>> reads = new ArrayList<>();
        try (CloseableIterator<Row> fileRows = files.next().getRows()) {
          while (fileRows.hasNext()) {
            Row file = fileRows.next();
            reads.add(
                pool.submit(
                    () -> readFile(engine, scanState, physical, file, perFile.get(), reader)));
          }
        }
        for (Future<A> read : reads) {
          out.add(read.get());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read the Delta table " + table, e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      throw new LakehouseException(
          "Cannot read a data file of the Delta table " + table + ": " + cause.getMessage(), cause);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new LakehouseException("Interrupted while reading the Delta table " + table, e);
    } finally {
      pool.shutdownNow();
    }
    return out;
  }

  private static <A> A readFile(
      Engine engine, Row scanState, StructType physical, Row file, A into, RowReader<A> reader)
      throws IOException {
    FileStatus status = InternalScanFileUtils.getAddFileStatus(file);
    CloseableIterator<ColumnarBatch> data =
        engine
            .getParquetHandler()
            .readParquetFiles(Utils.singletonCloseableIterator(status), physical, Optional.empty())
            .map(FileReadResult::getData);
    try (CloseableIterator<FilteredColumnarBatch> batches =
        Scan.transformPhysicalData(engine, scanState, file, data)) {
      while (batches.hasNext()) {
        FilteredColumnarBatch batch = batches.next();
        ColumnarBatch rows = batch.getData();
        ColumnVector selected = batch.getSelectionVector().orElse(null);
        for (int i = 0; i < rows.getSize(); i++) {
          // A row deleted by a deletion vector is not selected.
          if (selected == null || (!selected.isNullAt(i) && selected.getBoolean(i))) {
            reader.read(into, rows, i);
          }
        }
      }
    }
    return into;
  }
}
