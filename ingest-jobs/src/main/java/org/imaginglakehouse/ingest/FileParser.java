package org.imaginglakehouse.ingest;

import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.function.Consumer;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.util.SerializableConfiguration;
import org.imaginglakehouse.ingest.dicom.DicomHeaderParser;
import org.imaginglakehouse.ingest.dicom.ErrorClass;
import org.imaginglakehouse.ingest.dicom.ParseOutcome;
import org.imaginglakehouse.ingest.dicom.ParsedHeader;

/**
 * Executor side of the ingest: reads each {@link SourceFile} (or each entry of a zip archive),
 * parses its header, returns the instance rows and reports every input as a {@link FileRecord}.
 */
public final class FileParser implements Serializable {
  private static final long serialVersionUID = 1L;

  private final String runId;
  private final long ingestMillis;
  private final DicomHeaderParser.ChecksumMode checksumMode;
  private final SerializableConfiguration hadoopConf;

  public FileParser(
      String runId,
      long ingestMillis,
      DicomHeaderParser.ChecksumMode checksumMode,
      SerializableConfiguration hadoopConf) {
    this.runId = runId;
    this.ingestMillis = ingestMillis;
    this.checksumMode = checksumMode;
    this.hadoopConf = hadoopConf;
  }

  /**
   * Parses a partition of inputs lazily: returns the {@link IngestSchemas#INSTANCES_SCHEMA} row of
   * every valid instance and hands a {@link FileRecord} for every input file (or archive entry),
   * whatever its outcome, to {@code records}.
   */
  public Iterator<InternalRow> parse(Iterator<SourceFile> files, Consumer<FileRecord> records) {
    DicomHeaderParser parser = new DicomHeaderParser(checksumMode);
    InstanceRows rows = new InstanceRows(runId, ingestMillis);
    return new Iterator<>() {
      private final ArrayDeque<InternalRow> ready = new ArrayDeque<>();

      @Override
      public boolean hasNext() {
        while (ready.isEmpty() && files.hasNext()) {
          SourceFile f = files.next();
          if (f.archive()) {
            parseArchive(parser, rows, f, records, ready);
          } else {
            emit(parseFile(parser, f), rows, f, null, null, null, null, records, ready);
          }
        }
        return !ready.isEmpty();
      }

      @Override
      public InternalRow next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        return ready.poll();
      }
    };
  }

  private ParseOutcome parseFile(DicomHeaderParser parser, SourceFile f) {
    if (f.size() < 0) {
      return new ParseOutcome.Rejected(ErrorClass.UNREADABLE, "listed but not found");
    }
    try (InputStream in = open(f.path())) {
      return parser.parse(in, f.size(), f.name());
    } catch (NoSuchFileException | java.io.FileNotFoundException e) {
      return new ParseOutcome.Rejected(ErrorClass.UNREADABLE, "vanished after listing");
    } catch (IOException | RuntimeException e) {
      return new ParseOutcome.Rejected(ErrorClass.UNREADABLE, "cannot open: " + e);
    }
  }

  private void parseArchive(
      DicomHeaderParser parser,
      InstanceRows rows,
      SourceFile f,
      Consumer<FileRecord> records,
      ArrayDeque<InternalRow> out) {
    Path local = null;
    boolean temporary = false;
    try {
      if (Discovery.isLocal(f.path())) {
        local = Path.of(Discovery.localPath(f.path()));
      } else {
        local = Files.createTempFile("lakehouse-ingest-", ".zip");
        temporary = true;
        try (InputStream in = open(f.path())) {
          Files.copy(in, local, StandardCopyOption.REPLACE_EXISTING);
        }
      }
      try (ZipFile zip = new ZipFile(local.toFile())) {
        List<ZipEntry> entries = new ArrayList<>();
        Enumeration<? extends ZipEntry> e = zip.entries();
        while (e.hasMoreElements()) {
          ZipEntry entry = e.nextElement();
          if (!entry.isDirectory()) {
            entries.add(entry);
          }
        }
        entries.sort((a, b) -> a.getName().compareTo(b.getName()));
        for (ZipEntry entry : entries) {
          String name = entry.getName();
          String leaf = name.substring(name.lastIndexOf('/') + 1);
          ParseOutcome outcome;
          try (InputStream in = zip.getInputStream(entry)) {
            outcome = parser.parse(in, entry.getSize(), leaf);
          } catch (IOException | RuntimeException ex) {
            outcome =
                new ParseOutcome.Rejected(
                    ErrorClass.UNREADABLE, "cannot read archive entry: " + ex.getMessage());
          }
          SourceFile entryFile =
              new SourceFile(f.path() + "!" + name, entry.getSize(), entry.getTime(), false);
          emit(
              outcome, rows, entryFile, f.path(), name, f.size(), f.modifiedMillis(), records, out);
        }
      }
    } catch (IOException | RuntimeException e) {
      emit(
          new ParseOutcome.Rejected(
              ErrorClass.UNREADABLE, "not a readable zip archive: " + e.getMessage()),
          rows,
          f,
          null,
          null,
          null,
          null,
          records,
          out);
    } finally {
      if (temporary && local != null) {
        try {
          Files.deleteIfExists(local);
        } catch (IOException ignored) {
          // temp file; the OS cleans up
        }
      }
    }
  }

  private InputStream open(String path) throws IOException {
    if (Discovery.isLocal(path)) {
      return Files.newInputStream(Path.of(Discovery.localPath(path)));
    }
    org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(path);
    FileSystem fs = p.getFileSystem(hadoopConf.value());
    return fs.open(p);
  }

  private void emit(
      ParseOutcome outcome,
      InstanceRows rows,
      SourceFile f,
      String archivePath,
      String archiveEntry,
      Long containerSize,
      Long containerModified,
      Consumer<FileRecord> records,
      ArrayDeque<InternalRow> out) {
    String kind;
    String errorClass = null;
    String message = null;
    String sop = null;
    String checksum = null;
    if (outcome instanceof ParseOutcome.Rejected r) {
      kind = FileRecord.ERROR;
      errorClass = r.errorClass().id();
      message = r.message();
    } else if (outcome instanceof ParseOutcome.Skipped s) {
      kind = FileRecord.SKIPPED;
      errorClass = s.reason();
      message = s.message();
    } else {
      ParsedHeader h = ((ParseOutcome.Instance) outcome).header();
      kind = FileRecord.INSTANCE;
      sop = h.sopInstanceUid();
      checksum = h.checksum();
      out.add(rows.of(f, h));
    }
    records.accept(
        new FileRecord(
            f.path(),
            archivePath,
            archiveEntry,
            f.size(),
            f.modifiedMillis(),
            containerSize,
            containerModified,
            kind,
            errorClass,
            message,
            sop,
            checksum));
  }
}
