package org.imaginglakehouse.ingest;

import java.io.Serializable;

/**
 * One discovered input: a file, or a zip archive whose entries are the inputs. {@code path} is a
 * plain absolute path for local files and a URI ({@code s3a://}, {@code hdfs://}) otherwise.
 */
public record SourceFile(String path, long size, long modifiedMillis, boolean archive)
    implements Serializable, Comparable<SourceFile> {
  /** Archives are recognised by name: {@code .zip} (case-insensitive). */
  public static boolean isArchiveName(String name) {
    return name.toLowerCase(java.util.Locale.ROOT).endsWith(".zip");
  }

  /** Last path component. */
  public String name() {
    int slash = path.lastIndexOf('/');
    return slash < 0 ? path : path.substring(slash + 1);
  }

  @Override
  public int compareTo(SourceFile o) {
    return path.compareTo(o.path);
  }
}
