package org.imaginglakehouse.extract;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.imaginglakehouse.core.io.SourceFiles;
import org.imaginglakehouse.extract.pixel.Region;
import org.imaginglakehouse.extract.verify.Failure;
import org.imaginglakehouse.extract.verify.FileVerifier;
import org.imaginglakehouse.extract.verify.IdentifyingValues;
import org.imaginglakehouse.extract.verify.PixelOcr;
import org.imaginglakehouse.transform.ocr.IdentityMatcher;

/**
 * The executor side of {@link VerifyJob}: one file read and checked ({@link FileVerifier}, then
 * {@link PixelOcr} for redacted and sampled images), its findings as one {@link
 * VerifyJob#REPORT_SCHEMA} row; and the settings shipped to the executors.
 */
final class VerifyExecutor {
  private VerifyExecutor() {}

  /** Whether verify OCRs the released pixels of {@code path}: redacted, or in the OCR sample. */
  static boolean ocred(String path, VerifyJob.Settings s) {
    return path.endsWith(".dcm")
        && (s.redacted().containsKey(path) || VerifyJob.sampled("ocr:" + path, s.ocrSample()));
  }

  /**
   * OCR of the released pixels ({@link PixelOcr}) for every redacted image and the {@code
   * ocr-sample} of the others; the findings join the file's report.
   */
  static Row withPixelOcr(Row report, PixelOcr ocr, VerifyJob.Settings s, IdentityMatcher identity)
      throws IOException {
    String path = report.getString(0);
    String regions = s.redacted().get(path);
    if (report.isNullAt(1) || !ocred(path, s)) {
      return report;
    }
    Path file = new Path(s.root() + "/" + path);
    byte[] bytes;
    try (InputStream in = ProjectFiles.fs(file).open(file)) {
      bytes = in.readAllBytes();
    }
    List<Failure> found =
        ocr.check(path, bytes, regions == null ? null : Region.parse(regions), identity);
    if (found.isEmpty()) {
      return report;
    }
    List<Row> failures = new ArrayList<>(report.<Row>getList(4));
    for (Failure f : found) {
      failures.add(
          RowFactory.create(f.check(), f.foundSha256(), f.offset(), f.severity(), f.detail()));
    }
    return RowFactory.create(
        report.get(0),
        report.get(1),
        report.get(2),
        report.get(3),
        scala.jdk.javaapi.CollectionConverters.asScala(failures));
  }

  static byte[] serialise(VerifyJob.Settings settings) {
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    try (java.io.ObjectOutputStream out = new java.io.ObjectOutputStream(bytes)) {
      out.writeObject(settings);
    } catch (IOException e) {
      throw new IllegalStateException("Cannot serialise the verify settings", e);
    }
    return bytes.toByteArray();
  }

  static VerifyJob.Settings deserialise(byte[] bytes) throws IOException {
    try (java.io.ObjectInputStream in =
        new java.io.ObjectInputStream(new java.io.ByteArrayInputStream(bytes))) {
      return (VerifyJob.Settings) in.readObject();
    } catch (ClassNotFoundException e) {
      throw new IOException("Cannot read the verify settings", e);
    }
  }

  /** Verifies one file on an executor; never throws for a problem of the file itself. */
  static Row verifyOne(
      FileVerifier verifier,
      VerifyJob.Settings s,
      String path,
      String expected,
      String source,
      String sourceBirthDate)
      throws IOException {
    Path file = new Path(s.root() + "/" + path);
    FileSystem fs = ProjectFiles.fs(file);
    byte[] bytes;
    if (!fs.exists(file)) {
      return report(
          path,
          null,
          0,
          null,
          List.of(
              new Failure(
                  path,
                  Failure.Check.MISSING,
                  null,
                  -1,
                  Failure.ERROR,
                  "listed in files, not on disk")));
    }
    long length = fs.getFileStatus(file).getLen();
    if (length > VerifyJob.MAX_FILE) {
      return report(
          path,
          null,
          length,
          null,
          List.of(
              new Failure(
                  path, Failure.Check.UNREADABLE, null, -1, Failure.ERROR, "larger than 2 GiB")));
    }
    try (InputStream in = fs.open(file)) {
      bytes = in.readAllBytes();
    }
    FileVerifier.FileReport report;
    if (path.endsWith(".dcm")) {
      java.nio.file.Path local =
          "file".equals(fs.getUri().getScheme())
              ? java.nio.file.Path.of(file.toUri().getPath())
              : null;
      java.nio.file.Path iodSource = null;
      java.nio.file.Path temp = null;
      if (source != null && VerifyJob.sampled(path, s.iodSample())) {
        if (SourceFiles.splitZip(source) == null
            && !source.matches("^[a-zA-Z][a-zA-Z0-9+.-]*://.*")) {
          iodSource =
              source.startsWith("file:")
                  ? java.nio.file.Path.of(java.net.URI.create(source))
                  : java.nio.file.Path.of(source);
        } else {
          temp = Files.createTempFile("verify-source-", ".dcm");
          try (InputStream in = SourceFiles.open(source)) {
            Files.copy(in, temp, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
          }
          iodSource = temp;
        }
      }
      try {
        report =
            verifier.verifyDicom(
                path,
                bytes,
                IdentifyingValues.birthDateValues(sourceBirthDate),
                local,
                VerifyJob.sampled(path, s.dcmdumpSample()),
                iodSource);
      } finally {
        if (temp != null) {
          Files.deleteIfExists(temp);
        }
      }
    } else {
      report = verifier.verifyOther(path, bytes);
    }
    List<Failure> failures = new ArrayList<>(report.failures());
    if (path.endsWith(".dcm") && source == null) {
      // Fail closed: without its source, the file's own values cannot be searched.
      failures.add(
          new Failure(
              path,
              Failure.Check.SOURCE_UNKNOWN,
              null,
              -1,
              Failure.ERROR,
              "source instance not in identifiable.instances"));
    }
    if (expected != null && !expected.equals(report.sha256())) {
      failures.add(
          new Failure(
              path,
              Failure.Check.CHECKSUM,
              null,
              -1,
              Failure.ERROR,
              "SHA-256 differs from project files table"));
    }
    return report(path, report.sha256(), report.size(), report.birthDate(), failures);
  }

  static Row report(String path, String sha, long size, String birth, List<Failure> failures) {
    List<Row> fs = new ArrayList<>();
    for (Failure f : failures) {
      fs.add(RowFactory.create(f.check(), f.foundSha256(), f.offset(), f.severity(), f.detail()));
    }
    // The row encoder wants a Scala Seq for an array column.
    return RowFactory.create(
        path, sha, size, birth, scala.jdk.javaapi.CollectionConverters.asScala(fs));
  }
}
