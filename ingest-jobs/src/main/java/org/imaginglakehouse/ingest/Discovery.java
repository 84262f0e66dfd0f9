package org.imaginglakehouse.ingest;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.RecursiveTask;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.RemoteIterator;
import org.imaginglakehouse.core.LakehouseException;

/**
 * Finds the input files of a run. A source is a directory tree (local, {@code hdfs://}, {@code
 * s3a://}), a single file or zip archive, or a file list (a text file named {@code *.txt}, {@code
 * *.lst} or {@code *.list}, or any file given as {@code @path}) with one path per line.
 *
 * <p>Local trees are walked by a fork-join pool, one task per directory, so wide and deep PACS
 * trees list in parallel; object stores are listed flat ({@code listFiles(recursive)}), which is
 * one paged request per 1000 keys instead of one per directory. Paths of a file list are stat'ed in
 * parallel; a listed path that does not exist is kept with size -1 so the run reports it as
 * unreadable instead of losing it.
 */
public final class Discovery {
  private static final java.util.regex.Pattern URI_SCHEME =
      java.util.regex.Pattern.compile("^[a-zA-Z][a-zA-Z0-9+.-]*:.*");
  private final Configuration hadoopConf;
  private final int threads;
  private final List<String> scopes = Collections.synchronizedList(new ArrayList<>());

  public Discovery(Configuration hadoopConf, int threads) {
    this.hadoopConf = hadoopConf;
    this.threads = Math.max(1, threads);
  }

  /** All inputs of {@code sources}, sorted by path, without duplicates. */
  public List<SourceFile> discover(List<String> sources) {
    scopes.clear();
    ForkJoinPool pool = new ForkJoinPool(threads);
    try {
      List<SourceFile> out = new ArrayList<>();
      for (String source : sources) {
        out.addAll(discoverOne(source.trim(), pool));
      }
      Collections.sort(out);
      List<SourceFile> unique = new ArrayList<>(out.size());
      for (SourceFile f : out) {
        if (unique.isEmpty() || !unique.get(unique.size() - 1).path().equals(f.path())) {
          unique.add(f);
        }
      }
      return unique;
    } finally {
      pool.shutdown();
    }
  }

  static boolean isFileList(String source) {
    String lower = source.toLowerCase(Locale.ROOT);
    return source.startsWith("@")
        || lower.endsWith(".txt")
        || lower.endsWith(".lst")
        || lower.endsWith(".list");
  }

  static boolean isLocal(String location) {
    return location.startsWith("file:") || !URI_SCHEME.matcher(location).matches();
  }

  /**
   * Directory roots listed by the last {@link #discover} call, each ending in {@code /}, as
   * prefixes of the paths it returned: a file indexed under one of them but not listed again is
   * missing from the source. (File lists and single files define no such scope.)
   */
  public List<String> scopes() {
    return List.copyOf(scopes);
  }

  static String localPath(String location) {
    if (location.startsWith("file:")) {
      return Path.of(URI.create(location)).toAbsolutePath().normalize().toString();
    }
    return Path.of(location).toAbsolutePath().normalize().toString();
  }

  private List<SourceFile> discoverOne(String source, ForkJoinPool pool) {
    if (isFileList(source)) {
      return fromFileList(source.startsWith("@") ? source.substring(1) : source, pool);
    }
    try {
      if (isLocal(source)) {
        Path root = Path.of(localPath(source));
        if (!Files.exists(root)) {
          throw new LakehouseException(
              "Ingest source " + source + " does not exist: give a directory, file or file list");
        }
        if (Files.isRegularFile(root)) {
          return List.of(localFile(root, Files.readAttributes(root, BasicFileAttributes.class)));
        }
        scopes.add(withSlash(root.toAbsolutePath().toString()));
        return pool.invoke(new LocalDirectory(root));
      }
      org.apache.hadoop.fs.Path root = new org.apache.hadoop.fs.Path(source);
      FileSystem fs = root.getFileSystem(hadoopConf);
      FileStatus status = fs.getFileStatus(root);
      if (status.isFile()) {
        return List.of(remoteFile(status));
      }
      scopes.add(withSlash(status.getPath().toString()));
      List<SourceFile> out = new ArrayList<>();
      if ("s3a".equals(fs.getScheme()) || "s3".equals(fs.getScheme())) {
        RemoteIterator<LocatedFileStatus> it = fs.listFiles(root, true);
        while (it.hasNext()) {
          LocatedFileStatus f = it.next();
          if (f.isFile()) {
            out.add(remoteFile(f));
          }
        }
        return out;
      }
      return pool.invoke(new RemoteDirectory(fs, status));
    } catch (FileNotFoundException | NoSuchFileException e) {
      throw new LakehouseException(
          "Ingest source " + source + " does not exist: give a directory, file or file list");
    } catch (IOException e) {
      throw new LakehouseException(
          "Cannot list ingest source " + source + ": " + e.getMessage(), e);
    } catch (UncheckedIOException e) {
      throw new LakehouseException(
          "Cannot list ingest source " + source + ": " + e.getCause().getMessage(), e);
    }
  }

  private List<SourceFile> fromFileList(String list, ForkJoinPool pool) {
    List<String> lines;
    String base;
    try {
      if (isLocal(list)) {
        Path p = Path.of(localPath(list));
        lines = Files.readAllLines(p, StandardCharsets.UTF_8);
        base = p.getParent().toString();
      } else {
        org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(list);
        FileSystem fs = p.getFileSystem(hadoopConf);
        try (var in = fs.open(p)) {
          lines = List.of(new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\\R"));
        }
        base = p.getParent().toString();
      }
    } catch (IOException e) {
      throw new LakehouseException(
          "Cannot read file list " + list + ": " + e.getMessage() + " (one path per line)", e);
    }
    List<String> paths = new ArrayList<>();
    for (String line : lines) {
      String t = line.strip();
      if (t.isEmpty() || t.startsWith("#")) {
        continue;
      }
      boolean absolute = t.startsWith("/") || URI_SCHEME.matcher(t).matches();
      paths.add(absolute ? t : base + "/" + t);
    }
    try {
      return pool.submit(() -> paths.parallelStream().map(this::stat).toList()).get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new LakehouseException("Interrupted while reading file list " + list, e);
    } catch (ExecutionException e) {
      throw new LakehouseException(
          "Cannot stat the files of list " + list + ": " + e.getCause().getMessage(), e);
    }
  }

  private static String withSlash(String dir) {
    return dir.endsWith("/") ? dir : dir + "/";
  }

  /** Stats one listed path; a missing file becomes size -1 (reported as unreadable). */
  private SourceFile stat(String location) {
    try {
      if (isLocal(location)) {
        Path p = Path.of(localPath(location));
        try {
          return localFile(p, Files.readAttributes(p, BasicFileAttributes.class));
        } catch (NoSuchFileException e) {
          return new SourceFile(p.toString(), -1, 0, SourceFile.isArchiveName(p.toString()));
        }
      }
      org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(location);
      try {
        return remoteFile(p.getFileSystem(hadoopConf).getFileStatus(p));
      } catch (FileNotFoundException e) {
        return new SourceFile(p.toString(), -1, 0, SourceFile.isArchiveName(location));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static SourceFile localFile(Path p, BasicFileAttributes a) {
    String path = p.toAbsolutePath().toString();
    return new SourceFile(
        path, a.size(), a.lastModifiedTime().toMillis(), SourceFile.isArchiveName(path));
  }

  private static SourceFile remoteFile(FileStatus s) {
    String path = s.getPath().toString();
    return new SourceFile(
        path, s.getLen(), s.getModificationTime(), SourceFile.isArchiveName(path));
  }

  private static final class LocalDirectory extends RecursiveTask<List<SourceFile>> {
    private final Path dir;

    LocalDirectory(Path dir) {
      this.dir = dir;
    }

    @Override
    protected List<SourceFile> compute() {
      List<SourceFile> files = new ArrayList<>();
      List<LocalDirectory> subdirs = new ArrayList<>();
      try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
        for (Path p : entries) {
          BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
          if (a.isDirectory()) {
            subdirs.add(new LocalDirectory(p));
          } else if (a.isRegularFile()) {
            files.add(localFile(p, a));
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      for (LocalDirectory d : invokeAll(subdirs)) {
        files.addAll(d.join());
      }
      return files;
    }
  }

  private static final class RemoteDirectory extends RecursiveTask<List<SourceFile>> {
    private final FileSystem fs;
    private final FileStatus dir;

    RemoteDirectory(FileSystem fs, FileStatus dir) {
      this.fs = fs;
      this.dir = dir;
    }

    @Override
    protected List<SourceFile> compute() {
      List<SourceFile> files = new ArrayList<>();
      List<RemoteDirectory> subdirs = new ArrayList<>();
      try {
        for (FileStatus s : fs.listStatus(dir.getPath())) {
          if (s.isDirectory()) {
            subdirs.add(new RemoteDirectory(fs, s));
          } else if (s.isFile()) {
            files.add(remoteFile(s));
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      for (RemoteDirectory d : invokeAll(subdirs)) {
        files.addAll(d.join());
      }
      return files;
    }
  }
}
