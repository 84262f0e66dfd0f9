package org.imaginglakehouse.ingest;

import java.io.Serializable;
import java.util.Locale;
import java.util.Objects;

/**
 * One discovered input: a file, or a zip archive whose entries are the inputs. {@code path} is a
 * plain absolute path for local files and a URI ({@code s3a://}, {@code hdfs://}) otherwise. (A
 * plain class, not a record: Spark's Kryo serializer cannot construct records.)
 */
public final class SourceFile implements Serializable, Comparable<SourceFile> {
  private static final long serialVersionUID = 1L;
  private String path;
  private long size;
  private long modifiedMillis;
  private boolean archive;

  /** For serializers. */
  SourceFile() {}

  public SourceFile(String path, long size, long modifiedMillis, boolean archive) {
    this.path = path;
    this.size = size;
    this.modifiedMillis = modifiedMillis;
    this.archive = archive;
  }

  /** Archives are recognised by name: {@code .zip} (case-insensitive). */
  public static boolean isArchiveName(String name) {
    return name.toLowerCase(Locale.ROOT).endsWith(".zip");
  }

  public String path() {
    return path;
  }

  public long size() {
    return size;
  }

  public long modifiedMillis() {
    return modifiedMillis;
  }

  public boolean archive() {
    return archive;
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

  @Override
  public boolean equals(Object o) {
    return o instanceof SourceFile s
        && s.path.equals(path)
        && s.size == size
        && s.modifiedMillis == modifiedMillis
        && s.archive == archive;
  }

  @Override
  public int hashCode() {
    return Objects.hash(path, size, modifiedMillis, archive);
  }

  @Override
  public String toString() {
    return path + " (" + size + " bytes)";
  }
}
