package org.imaginglakehouse.extract;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Serializable;
import java.nio.file.NoSuchFileException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.imaginglakehouse.core.io.SourceFiles;
import org.imaginglakehouse.extract.deid.DeidProfile;
import org.imaginglakehouse.extract.deid.Deidentifier;
import org.imaginglakehouse.extract.deid.ExtractFileWriter;
import org.imaginglakehouse.extract.deid.HmacProjectPseudonyms;
import org.imaginglakehouse.extract.deid.SourceRejectedException;
import org.imaginglakehouse.extract.deid.Written;

/**
 * Writes one instance of an extraction (on an executor): opens the source file, checks it is the
 * file ingest read, de-identifies its header, copies its pixel bytes verbatim, and renames the
 * result into place. Build one per partition ({@link #open}); it is not thread-safe.
 */
final class InstanceExtractor {
  /** What the executors ship back per instance. */
  record Outcome(
      String sopInstanceUid,
      String relativePath,
      String sha256,
      long size,
      long pixelBytesCopied,
      String reason,
      String message) {}

  /** Everything an executor needs, serialised once per task. */
  record Settings(ProjectConfig project, HmacProjectPseudonyms pseudonyms, String extractionRoot)
      implements Serializable {}

  private final Settings settings;
  private final Deidentifier deidentifier;
  private final ExtractFileWriter writer = new ExtractFileWriter();
  private final Configuration hadoop = new Configuration();

  private InstanceExtractor(Settings settings, DeidProfile profile) {
    this.settings = settings;
    this.deidentifier = new Deidentifier(profile, settings.pseudonyms());
  }

  static InstanceExtractor open(Settings settings) {
    return new InstanceExtractor(settings, Profiles.of(settings.project()));
  }

  /** Where an instance goes, relative to the extraction root: patient/study/series/SOP.dcm. */
  static String relativePath(
      HmacProjectPseudonyms pseudonyms, String eupi, String study, String series, String sop) {
    return pseudonyms.patientId(eupi)
        + "/"
        + pseudonyms.uid(study)
        + "/"
        + pseudonyms.uid(series)
        + "/"
        + pseudonyms.uid(sop)
        + ".dcm";
  }

  Outcome extract(
      String filePath,
      String checksum,
      String eupi,
      String study,
      String series,
      String sop,
      String attempt) {
    HmacProjectPseudonyms p = settings.pseudonyms();
    String newSop = p.uid(sop);
    String relative = relativePath(p, eupi, study, series, sop);
    Path target = new Path(settings.extractionRoot() + "/" + relative);
    Path temp = new Path(target.getParent(), "." + target.getName() + ".tmp-" + attempt);
    FileSystem fs;
    try {
      fs = ProjectFiles.raw(target.getFileSystem(hadoop));
    } catch (IOException e) {
      return failed(newSop, Rejection.WRITE_FAILED.id(), "cannot reach the project storage");
    }
    long length;
    try {
      length = SourceFiles.length(filePath);
    } catch (FileNotFoundException | NoSuchFileException e) {
      return failed(newSop, Rejection.SOURCE_MISSING.id(), "source file not found");
    } catch (IOException e) {
      return failed(newSop, Rejection.SOURCE_MISSING.id(), "source file unreadable");
    }
    try {
      Written written;
      try (InputStream in = SourceFiles.open(filePath);
          OutputStream out = fs.create(temp, true)) {
        written =
            writer.write(
                in, length, checksum, header -> deidentifier.deidentify(header, eupi), out);
      }
      if (fs.exists(target)) {
        fs.delete(target, false); // a re-run after a kill: same bytes, written again
      }
      if (!fs.rename(temp, target)) {
        throw new IOException("rename refused");
      }
      return new Outcome(
          newSop,
          relative,
          written.sha256(),
          written.size(),
          written.pixelBytesCopied(),
          null,
          null);
    } catch (SourceRejectedException e) {
      deleteQuietly(fs, temp);
      return failed(newSop, e.reason().code(), e.getMessage());
    } catch (IOException | RuntimeException e) {
      deleteQuietly(fs, temp);
      // The class only: messages of I/O and parser exceptions can quote file content or paths.
      return failed(newSop, Rejection.WRITE_FAILED.id(), e.getClass().getSimpleName());
    }
  }

  private static Outcome failed(String sop, String reason, String message) {
    return new Outcome(sop, null, null, 0, 0, reason, message);
  }

  private static void deleteQuietly(FileSystem fs, Path path) {
    try {
      fs.delete(path, false);
    } catch (IOException ignored) {
      // a leftover temporary file is hidden (dot name) and replaced by the next attempt
    }
  }
}
