package org.imaginglakehouse.extract;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashSet;
import java.util.Set;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.permission.FsPermission;

/**
 * Where an executor writes the image files of an extraction: a temporary file, then a rename over
 * the final name (a reader never sees half a file; a re-run after a kill replaces the file with the
 * same bytes). On the local file system through {@code java.nio}: Hadoop's {@code
 * RawLocalFileSystem.create} and {@code mkdirs} set each new file's and directory's permission by
 * running {@code chmod} in a child process (one fork per file: most of the write stage's cost per
 * file on the benchmark machine, docs/benchmarks.md "Extract"); the files and directories get the
 * same modes either way (Hadoop's defaults less its umask: 0644 and 0755 by default). Any other
 * file system ({@code s3a://}) through Hadoop. Not thread-safe: one per task.
 */
abstract class TargetFiles {
  /** Opens {@code temp} for writing (replacing any leftover), creating its directories. */
  abstract OutputStream create(Path temp) throws IOException;

  /** Renames {@code temp} to {@code target}, replacing {@code target} if it exists. */
  abstract void moveIntoPlace(Path temp, Path target) throws IOException;

  /** Deletes {@code path} if it exists; a failure is ignored. */
  abstract void deleteQuietly(Path path);

  static TargetFiles of(FileSystem fs) {
    FileSystem raw = ProjectFiles.raw(fs);
    return raw instanceof RawLocalFileSystem local ? new Local(local) : new Hadoop(raw);
  }

  /** The local file system, by {@code java.nio}. */
  private static final class Local extends TargetFiles {
    private final RawLocalFileSystem fs;
    private final Set<PosixFilePermission> fileMode;
    private final Set<PosixFilePermission> dirMode;

    /** Directories known to exist: each series' directory is created (checked) once per task. */
    private final Set<java.nio.file.Path> made = new HashSet<>();

    /** Whether the process umask gives Hadoop's modes by itself (checked on the first file). */
    private Boolean umaskMatches;

    Local(RawLocalFileSystem fs) {
      this.fs = fs;
      FsPermission umask = FsPermission.getUMask(fs.getConf());
      this.fileMode = posix(FsPermission.getFileDefault().applyUMask(umask));
      this.dirMode = posix(FsPermission.getDirDefault().applyUMask(umask));
    }

    private static Set<PosixFilePermission> posix(FsPermission p) {
      return PosixFilePermissions.fromString(p.toString());
    }

    private java.nio.file.Path local(Path path) {
      return fs.pathToFile(path).toPath();
    }

    @Override
    OutputStream create(Path temp) throws IOException {
      java.nio.file.Path file = local(temp);
      makeDirectories(file.getParent());
      OutputStream out =
          Files.newOutputStream(
              file,
              StandardOpenOption.CREATE,
              StandardOpenOption.TRUNCATE_EXISTING,
              StandardOpenOption.WRITE);
      if (umaskMatches == null) {
        umaskMatches = Files.getPosixFilePermissions(file).equals(fileMode);
      }
      if (!umaskMatches) {
        Files.setPosixFilePermissions(file, fileMode);
      }
      return out;
    }

    /** Creates {@code dir} and its missing parents with Hadoop's directory mode. */
    private void makeDirectories(java.nio.file.Path dir) throws IOException {
      if (dir == null || made.contains(dir)) {
        return;
      }
      if (!Files.isDirectory(dir)) {
        makeDirectories(dir.getParent());
        try {
          Files.createDirectory(dir);
          if (!Files.getPosixFilePermissions(dir).equals(dirMode)) {
            Files.setPosixFilePermissions(dir, dirMode);
          }
        } catch (FileAlreadyExistsException e) {
          if (!Files.isDirectory(dir)) {
            throw e;
          }
          // made by another task meanwhile
        }
      }
      made.add(dir);
    }

    @Override
    void moveIntoPlace(Path temp, Path target) throws IOException {
      Files.move(
          local(temp),
          local(target),
          StandardCopyOption.ATOMIC_MOVE,
          StandardCopyOption.REPLACE_EXISTING);
    }

    @Override
    void deleteQuietly(Path path) {
      try {
        Files.deleteIfExists(local(path));
      } catch (IOException ignored) {
        // a leftover temporary file is hidden (dot name) and replaced by the next attempt
      }
    }
  }

  /** Any other Hadoop file system. */
  private static final class Hadoop extends TargetFiles {
    private final FileSystem fs;

    Hadoop(FileSystem fs) {
      this.fs = fs;
    }

    @Override
    OutputStream create(Path temp) throws IOException {
      return fs.create(temp, true);
    }

    @Override
    void moveIntoPlace(Path temp, Path target) throws IOException {
      if (fs.exists(target)) {
        fs.delete(target, false);
      }
      if (!fs.rename(temp, target)) {
        throw new IOException("rename refused");
      }
    }

    @Override
    void deleteQuietly(Path path) {
      try {
        fs.delete(path, false);
      } catch (IOException ignored) {
        // a leftover temporary file is hidden (dot name) and replaced by the next attempt
      }
    }
  }
}
