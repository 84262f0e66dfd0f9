package org.imaginglakehouse.extract;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.imaginglakehouse.core.LakehouseException;

/**
 * The extract benchmark's second baseline (issue 23 item 7, docs/benchmarks.md "Extract"): a Spark
 * job that only copies bytes. The driver lists every regular file under a directory; the executors
 * copy them, a few tasks per core, to the same relative paths under another directory. It pays the
 * same JVM and Spark start-up as {@code lakehouse extract} and none of its work (no table, no
 * parsing, no checksum), so extract/this ratio is what extract costs beyond moving the bytes with
 * Spark.
 */
final class CopyBaseline {
  /** Files and bytes copied. */
  record Copied(long files, long bytes) {}

  private CopyBaseline() {}

  static Copied copy(SparkSession spark, Path from, Path to) {
    if (!Files.isDirectory(from)) {
      throw new LakehouseException("--from " + from + " is not a directory");
    }
    if (Files.exists(to)) {
      throw new LakehouseException("--to " + to + " exists: give a new directory");
    }
    List<String> relative = new ArrayList<>();
    try (Stream<Path> files = Files.walk(from)) {
      files.filter(Files::isRegularFile).forEach(f -> relative.add(from.relativize(f).toString()));
    } catch (IOException e) {
      throw new LakehouseException("Cannot list " + from + ": " + e.getMessage(), e);
    }
    if (relative.isEmpty()) {
      return new Copied(0, 0);
    }
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    int tasks = (int) Math.min(relative.size(), 4L * jsc.defaultParallelism());
    String source = from.toAbsolutePath().toString();
    String target = to.toAbsolutePath().toString();
    List<Long> sizes =
        jsc.parallelize(relative, tasks)
            .mapPartitions(
                (Iterator<String> paths) -> {
                  long files = 0;
                  long bytes = 0;
                  while (paths.hasNext()) {
                    String p = paths.next();
                    bytes += copyOne(Path.of(source, p), Path.of(target, p));
                    files++;
                  }
                  return List.of(files, bytes).iterator();
                })
            .collect();
    long files = 0;
    long bytes = 0;
    for (int i = 0; i < sizes.size(); i += 2) {
      files += sizes.get(i);
      bytes += sizes.get(i + 1);
    }
    return new Copied(files, bytes);
  }

  /** Copies one file (its directory made as needed); returns its size. */
  static long copyOne(Path source, Path target) {
    try {
      Files.createDirectories(target.getParent());
      Files.copy(source, target, StandardCopyOption.REPLACE_EXISTING);
      return Files.size(target);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
