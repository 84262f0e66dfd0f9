package org.imaginglakehouse.core.io;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;

/**
 * Opens the file behind a {@code file_path} of {@code identifiable.instances}: a local path or
 * {@code file:} URI, an entry of a zip archive written {@code archive.zip!entry/path}, or any
 * Hadoop file system URI ({@code s3a://}, {@code hdfs://}).
 */
public final class SourceFiles {
  private SourceFiles() {}

  /** The archive and entry of a {@code archive.zip!entry} path, or null for a plain file. */
  public static String[] splitZip(String filePath) {
    int bang = filePath.indexOf('!');
    while (bang > 0) {
      String archive = filePath.substring(0, bang);
      if (archive.toLowerCase(java.util.Locale.ROOT).endsWith(".zip")) {
        String entry = filePath.substring(bang + 1);
        if (entry.startsWith("/")) {
          entry = entry.substring(1);
        }
        return new String[] {archive, entry};
      }
      bang = filePath.indexOf('!', bang + 1);
    }
    return null;
  }

  static boolean isHadoopUri(String path) {
    return path.matches("^[a-zA-Z][a-zA-Z0-9+.-]*://.*") && !path.startsWith("file:");
  }

  static Path localPath(String path) {
    if (path.startsWith("file:")) {
      return Path.of(URI.create(path));
    }
    return Path.of(path);
  }

  /**
   * Reads {@code length} bytes at {@code offset}; fails with {@link EOFException} naming the file
   * length when the file is shorter (cut-short data).
   */
  public static byte[] readRange(String filePath, long offset, int length) throws IOException {
    String[] zip = splitZip(filePath);
    if (zip == null && !isHadoopUri(filePath)) {
      try (FileChannel channel = FileChannel.open(localPath(filePath), StandardOpenOption.READ)) {
        long size = channel.size();
        if (offset + length > size) {
          throw new EOFException(
              "file has "
                  + size
                  + " bytes but the pixel data needs "
                  + (offset + length)
                  + " (cut short)");
        }
        ByteBuffer buffer = ByteBuffer.allocate(length);
        while (buffer.hasRemaining()) {
          if (channel.read(buffer, offset + buffer.position()) < 0) {
            throw new EOFException("unexpected end of file at " + (offset + buffer.position()));
          }
        }
        return buffer.array();
      }
    }
    if (zip == null) {
      org.apache.hadoop.fs.Path path = new org.apache.hadoop.fs.Path(filePath);
      FileSystem fs = path.getFileSystem(HadoopConf.get());
      long size = fs.getFileStatus(path).getLen();
      if (offset + length > size) {
        throw new EOFException(
            "file has "
                + size
                + " bytes but the pixel data needs "
                + (offset + length)
                + " (cut short)");
      }
      byte[] out = new byte[length];
      try (FSDataInputStream in = fs.open(path)) {
        in.readFully(offset, out);
      }
      return out;
    }
    try (InputStream in = open(filePath)) {
      skipFully(in, offset);
      return readFully(in, length);
    }
  }

  /** Length of the file (or zip entry). */
  public static long length(String filePath) throws IOException {
    String[] zip = splitZip(filePath);
    if (zip != null) {
      try (ZipFile file = new ZipFile(localPath(zip[0]).toFile())) {
        ZipEntry entry = file.getEntry(zip[1]);
        if (entry == null) {
          throw new IOException("no entry " + zip[1] + " in " + zip[0]);
        }
        return entry.getSize();
      }
    }
    if (isHadoopUri(filePath)) {
      org.apache.hadoop.fs.Path path = new org.apache.hadoop.fs.Path(filePath);
      return path.getFileSystem(HadoopConf.get()).getFileStatus(path).getLen();
    }
    return Files.size(localPath(filePath));
  }

  /** A stream over the whole file (or zip entry); the caller closes it. */
  public static InputStream open(String filePath) throws IOException {
    String[] zip = splitZip(filePath);
    if (zip != null) {
      ZipFile file = new ZipFile(localPath(zip[0]).toFile());
      ZipEntry entry = file.getEntry(zip[1]);
      if (entry == null) {
        file.close();
        throw new IOException("no entry " + zip[1] + " in " + zip[0]);
      }
      InputStream entryStream = file.getInputStream(entry);
      return new java.io.FilterInputStream(entryStream) {
        @Override
        public void close() throws IOException {
          try {
            super.close();
          } finally {
            file.close();
          }
        }
      };
    }
    if (isHadoopUri(filePath)) {
      org.apache.hadoop.fs.Path path = new org.apache.hadoop.fs.Path(filePath);
      return path.getFileSystem(HadoopConf.get()).open(path);
    }
    return Files.newInputStream(localPath(filePath));
  }

  private static void skipFully(InputStream in, long n) throws IOException {
    long left = n;
    while (left > 0) {
      long skipped = in.skip(left);
      if (skipped <= 0) {
        if (in.read() < 0) {
          throw new EOFException("file ends " + left + " bytes before the pixel data offset");
        }
        skipped = 1;
      }
      left -= skipped;
    }
  }

  private static byte[] readFully(InputStream in, int length) throws IOException {
    byte[] out = in.readNBytes(length);
    if (out.length < length) {
      throw new EOFException(
          "pixel data cut short: " + out.length + " of " + length + " bytes present");
    }
    return out;
  }
}
