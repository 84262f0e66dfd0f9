package org.imaginglakehouse.extract;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.imaginglakehouse.core.LakehouseException;
import org.imaginglakehouse.core.io.HadoopConf;
import org.imaginglakehouse.core.zone.ZoneLayout;

/**
 * The files a project keeps beside its tables: its definition ({@code project.yaml}, stored the
 * first time it is given so later runs and the audit see exactly what was used) and its opt-out
 * list. Any Hadoop path works (local, {@code s3a://}).
 */
final class ProjectFiles {
  private ProjectFiles() {}

  /**
   * The project's definition: {@code given} (a path; stored with the project when it differs from
   * the stored one), else the stored one; a clear error when neither exists.
   */
  static ProjectConfig load(ZoneLayout layout, String project, String given) {
    Path stored = new Path(layout.projectRoot(project) + "/" + ExtractJob.PROJECT_FILE);
    byte[] bytes;
    String source;
    if (given != null && !given.isBlank()) {
      bytes = read(new Path(given));
      source = given;
    } else {
      if (!exists(stored)) {
        throw new LakehouseException(
            "Project '"
                + project
                + "' is not defined: pass --project-config FILE (a project YAML, see"
                + " docs/extract.md) the first time; it is then stored with the project");
      }
      bytes = read(stored);
      source = stored.toString();
    }
    ProjectConfig config = ProjectConfig.parse(bytes, source);
    if (!config.project().equals(project)) {
      throw new LakehouseException(
          "Project file "
              + source
              + " defines project '"
              + config.project()
              + "', not '"
              + project
              + "': pass the file of this project");
    }
    if (given != null
        && !given.isBlank()
        && !(exists(stored) && Arrays.equals(read(stored), bytes))) {
      write(stored, bytes);
    }
    return config;
  }

  /** Entries of the opt-out file: EUPIs or CHIs, one per line ({@code #} comments). */
  static List<String> optOut(ProjectConfig project) {
    if (project.optOutFile() == null) {
      return List.of();
    }
    Path file = new Path(project.optOutFile());
    if (!exists(file)) {
      // Fail closed: an opt-out list that cannot be read must stop the extraction.
      throw new LakehouseException(
          "The project's opt-out file " + file + " does not exist: fix opt_out.file");
    }
    List<String> out = new ArrayList<>();
    for (String line : new String(read(file), StandardCharsets.UTF_8).split("\r?\n")) {
      String entry = line.replaceAll("#.*", "").trim();
      if (entry.isEmpty() || entry.equalsIgnoreCase("eupi") || entry.equalsIgnoreCase("chi")) {
        continue;
      }
      out.add(entry);
      String digits = entry.replaceAll("[^0-9]", "");
      if (digits.length() == 10 && !digits.equals(entry)) {
        out.add(digits); // a CHI written with spaces
      }
    }
    return out;
  }

  /**
   * Removes what a killed run can leave under an extraction: hidden temporary files ({@code
   * .<name>.tmp-*}) and directories ({@code .tmp-*}). Returns how many were removed. Walks the
   * extraction's tree once (a listing per directory).
   */
  static long removeLeftovers(String extractionRoot) {
    Path root = new Path(extractionRoot);
    try {
      FileSystem fs = fs(root);
      return fs.exists(root) ? removeLeftovers(fs, root) : 0;
    } catch (IOException e) {
      throw new LakehouseException(
          "Cannot clean up " + extractionRoot + " after an earlier run: " + e.getMessage(), e);
    }
  }

  private static long removeLeftovers(FileSystem fs, Path dir) throws IOException {
    long removed = 0;
    for (FileStatus status : fs.listStatus(dir)) {
      String name = status.getPath().getName();
      if (name.startsWith(".") && name.contains(".tmp-")) {
        fs.delete(status.getPath(), true);
        removed++;
      } else if (status.isDirectory()) {
        removed += removeLeftovers(fs, status.getPath());
      }
    }
    return removed;
  }

  /**
   * Every file under {@code root}, as paths relative to it ({@code a/b.dcm}). By {@code
   * listStatus}, directory by directory: {@code listFiles(root, true)} builds a located status per
   * file, and on the local file system Hadoop reads each one's permission by running {@code ls} (81
   * s for 22,868 files on the benchmark machine; this walk: about 2 s).
   */
  public static List<String> relativeFiles(FileSystem fs, Path root) throws IOException {
    List<String> out = new ArrayList<>();
    listUnder(fs, root, "", out);
    return out;
  }

  private static void listUnder(FileSystem fs, Path dir, String prefix, List<String> out)
      throws IOException {
    for (FileStatus status : fs.listStatus(dir)) {
      String name = prefix + status.getPath().getName();
      if (status.isDirectory()) {
        listUnder(fs, status.getPath(), name + "/", out);
      } else {
        out.add(name);
      }
    }
  }

  /** File name without directories and extension, as an extraction-name fragment. */
  static String stem(String path) {
    String name = new Path(path).getName().replaceAll("\\.[^.]*$", "");
    return name.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
  }

  static boolean exists(Path path) {
    try {
      return fs(path).exists(path);
    } catch (IOException e) {
      throw new LakehouseException("Cannot reach " + path + ": " + e.getMessage(), e);
    }
  }

  static byte[] read(Path path) {
    try (InputStream in = fs(path).open(path)) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new LakehouseException("Cannot read " + path + ": " + e.getMessage(), e);
    }
  }

  /** Writes to a temporary name, then renames: no reader sees half a file. */
  static void write(Path path, byte[] bytes) {
    try {
      FileSystem fs = fs(path);
      Path temp = new Path(path.getParent(), "." + path.getName() + ".tmp-" + UUID.randomUUID());
      try (OutputStream out = fs.create(temp, true)) {
        out.write(bytes);
      }
      if (fs.exists(path)) {
        fs.delete(path, false);
      }
      if (!fs.rename(temp, path)) {
        throw new IOException("rename of " + temp + " refused");
      }
    } catch (IOException e) {
      throw new LakehouseException("Cannot write " + path + ": " + e.getMessage(), e);
    }
  }

  /**
   * The file system of {@code path}; for local paths the raw one, so that no Hadoop {@code .crc}
   * side files end up in a release.
   */
  static FileSystem fs(Path path) throws IOException {
    // One configuration per JVM, only read (HadoopConf): a new one parses Hadoop's XML resources
    // on first use, and this runs once per file in verify. It carries the session's spark.hadoop.*
    // settings, so an executor on a cluster reaches s3a:// with the configured endpoint and keys.
    return raw(path.getFileSystem(HadoopConf.get()));
  }

  static FileSystem raw(FileSystem fs) {
    return fs instanceof LocalFileSystem local ? local.getRawFileSystem() : fs;
  }
}
