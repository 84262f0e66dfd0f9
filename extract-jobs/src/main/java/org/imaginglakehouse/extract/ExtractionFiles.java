package org.imaginglakehouse.extract;

import static org.apache.spark.sql.functions.col;

import java.io.IOException;
import java.io.OutputStream;
import java.security.DigestInputStream;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.StructField;
import org.imaginglakehouse.core.Sha256;

/**
 * The single files beside an extraction's images (metadata and linked-dataset CSV and Parquet, the
 * manifest's checksums): each written as one file under a temporary name, then renamed.
 */
final class ExtractionFiles {
  private ExtractionFiles() {}

  /** CSV has no arrays: multi-valued columns as DICOM writes them, joined with a backslash. */
  static Dataset<Row> csvReady(Dataset<Row> rows) {
    List<Column> out = new ArrayList<>();
    for (StructField f : rows.schema().fields()) {
      Column c = col("`" + f.name() + "`");
      out.add(
          (f.dataType() instanceof ArrayType
                  ? functions.concat_ws("\\", c.cast("array<string>"))
                  : c)
              .as(f.name()));
    }
    return rows.select(out.toArray(Column[]::new));
  }

  /**
   * {@code rows} in one partition, sorted: the order {@link #writeSingleFile} keeps. An {@code
   * orderBy} first ran a Spark job sampling the rows for its range partitioning, then the same
   * single writing task.
   */
  static Dataset<Row> sortedInOnePartition(Dataset<Row> rows, Column... order) {
    return rows.repartition(1).sortWithinPartitions(order);
  }

  static void writeSingleFile(FileSystem fs, Dataset<Row> rows, String format, Path target)
      throws IOException {
    Path temp = new Path(target.getParent(), ".tmp-" + format + "-" + UUID.randomUUID());
    rows.coalesce(1).write().format(format).option("header", "true").save(temp.toString());
    FileStatus[] parts = fs.globStatus(new Path(temp, "part-*"));
    if (parts == null || parts.length != 1) {
      throw new IOException("expected one part file in " + temp);
    }
    if (fs.exists(target)) {
      fs.delete(target, false);
    }
    if (!fs.rename(parts[0].getPath(), target)) {
      throw new IOException("rename to " + target + " refused");
    }
    fs.delete(temp, true);
  }

  /** SHA-256 hex of a file, read as a stream. */
  static String sha256(FileSystem fs, Path file) throws IOException {
    try (DigestInputStream in = new DigestInputStream(fs.open(file), Sha256.digest())) {
      in.transferTo(OutputStream.nullOutputStream());
      return HexFormat.of().formatHex(in.getMessageDigest().digest());
    }
  }
}
