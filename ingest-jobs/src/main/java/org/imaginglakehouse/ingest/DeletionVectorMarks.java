package org.imaginglakehouse.ingest;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.delta.DeltaLog;
import org.apache.spark.sql.delta.Snapshot;
import org.apache.spark.sql.delta.actions.Action;
import org.apache.spark.sql.delta.actions.AddFile;
import org.apache.spark.sql.delta.actions.DeletionVectorDescriptor;
import org.apache.spark.sql.delta.actions.DeletionVectorDescriptor$;
import org.apache.spark.sql.delta.actions.RemoveFile;
import org.apache.spark.sql.delta.deletionvectors.RoaringBitmapArray;
import org.apache.spark.sql.delta.deletionvectors.RoaringBitmapArrayFormat$;
import org.apache.spark.sql.delta.storage.dv.DeletionVectorStore;
import org.apache.spark.sql.delta.storage.dv.DeletionVectorStore$;
import org.apache.spark.sql.delta.storage.dv.DeletionVectorStoreUtils;
import org.apache.spark.sql.delta.util.PathWithFileSystem;
import scala.Option;
import scala.Tuple2;

/**
 * Deletes rows of a Delta table's data files by marking them in deletion vectors, as Delta's own
 * DELETE does on a table with the feature, instead of rewriting every file that holds one: for
 * {@code instances}, whose rows carry the complete nested header, a rewrite to drop a few duplicate
 * rows cost seconds of Parquet encoding and code generation per batch (docs/ benchmarks.md). The
 * caller commits the returned actions in its own transaction.
 */
final class DeletionVectorMarks {
  static final String ENABLE_PROPERTY = "delta.enableDeletionVectors";

  private DeletionVectorMarks() {}

  /** Whether the table at {@code snapshot} takes deletion vectors (feature and property on). */
  static boolean writable(Snapshot snapshot) {
    boolean supported =
        snapshot.protocol().readerFeatureNames().contains("deletionVectors")
            && snapshot.protocol().writerFeatureNames().contains("deletionVectors");
    Option<String> enabled = snapshot.metadata().configuration().get(ENABLE_PROPERTY);
    return supported && enabled.isDefined() && enabled.get().equalsIgnoreCase("true");
  }

  /**
   * The actions that delete, from the {@code targets} files, every row matching a row of {@code
   * keys} on {@code match} (the keys' columns against the table's): per file a {@link RemoveFile}
   * and the same file added back with its deletion vector (merged with the one it had).
   */
  static List<Action> mark(
      SparkSession spark,
      DeltaLog log,
      Snapshot snapshot,
      List<AddFile> targets,
      Dataset<Row> keys,
      Column match) {
    Path table = log.dataPath();
    List<String> logPaths = new ArrayList<>();
    for (AddFile f : targets) {
      logPaths.add(f.path());
    }
    // The files' entries with their statistics (a transaction's file listing leaves them out, and
    // a file with a deletion vector must keep numRecords and its column bounds).
    Map<String, AddFile> byName = new HashMap<>();
    List<String> paths = new ArrayList<>();
    for (AddFile f :
        snapshot.allFiles().where(col("path").isin(logPaths.toArray())).collectAsList()) {
      Path p = absolute(table, f.path());
      byName.put(p.getName(), f);
      paths.add(p.toString());
    }
    if (byName.size() != targets.size()) {
      throw new IllegalStateException(
          "settle: "
              + targets.size()
              + " data files to mark, "
              + byName.size()
              + " in the snapshot");
    }
    // Row positions as the deletion vector counts them: in the file as written, read without
    // Delta (which would hide rows already deleted and does not expose positions).
    Dataset<Row> positions =
        spark
            .read()
            .parquet(paths.toArray(new String[0]))
            .join(broadcast(keys), match, "left_semi")
            .select(col("_metadata.file_name"), col("_metadata.row_index"));
    Map<String, RoaringBitmapArray> deleted = new HashMap<>();
    for (Row r : positions.collectAsList()) {
      deleted.computeIfAbsent(r.getString(0), n -> new RoaringBitmapArray()).add(r.getLong(1));
    }
    // Every target was chosen for a row of the keys: one without any means the files and the
    // table disagree, and the run stops rather than leave a row it counted as deleted.
    for (String name : byName.keySet()) {
      if (!deleted.containsKey(name)) {
        throw new IllegalStateException(
            "settle: no row to delete found in data file " + name + " of " + table);
      }
    }
    DeletionVectorStore store =
        DeletionVectorStore$.MODULE$.createInstance(log.newDeltaHadoopConf());
    PathWithFileSystem tablePath = store.pathWithFileSystem(table);
    List<Action> actions = new ArrayList<>();
    for (Map.Entry<String, RoaringBitmapArray> e : deleted.entrySet()) {
      AddFile file = byName.get(e.getKey());
      RoaringBitmapArray rows = e.getValue();
      if (file.deletionVector() != null) {
        rows.merge(store.read(file.deletionVector(), table));
      }
      Tuple2<AddFile, RemoveFile> replaced =
          file.removeRows(write(store, tablePath, rows), true, true);
      actions.add(replaced._2());
      actions.add(replaced._1());
    }
    return actions;
  }

  /** Writes one deletion vector file beside the data files (Delta's layout and format). */
  private static DeletionVectorDescriptor write(
      DeletionVectorStore store, PathWithFileSystem table, RoaringBitmapArray rows) {
    UUID id = UUID.randomUUID();
    PathWithFileSystem file =
        DeletionVectorStore$.MODULE$.assembleDeletionVectorPathWithFileSystem(table, id, "");
    byte[] bytes = rows.serializeAsByteArray(RoaringBitmapArrayFormat$.MODULE$.Portable());
    DeletionVectorStoreUtils.DVRangeDescriptor range;
    DeletionVectorStoreUtils.Writer writer = store.createWriter(file);
    try {
      range = writer.write(bytes);
    } finally {
      writer.close();
    }
    return DeletionVectorDescriptor$.MODULE$.onDiskWithRelativePath(
        id,
        "",
        range.length(),
        rows.cardinality(),
        Option.apply((Object) range.offset()),
        Option.<Object>empty());
  }

  /** A data file's path from its (URI-encoded, usually relative) {@link AddFile#path()}. */
  private static Path absolute(Path table, String path) {
    try {
      Path p = new Path(new URI(path));
      return p.isAbsolute() ? p : new Path(table, p);
    } catch (URISyntaxException e) {
      throw new UncheckedIOException(new IOException("data file path not a URI: " + path, e));
    }
  }
}
