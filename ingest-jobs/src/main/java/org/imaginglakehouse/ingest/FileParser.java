package org.imaginglakehouse.ingest;

import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.Iterator;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.SerializableConfiguration;
import org.imaginglakehouse.ingest.dicom.DicomHeaderParser;
import org.imaginglakehouse.ingest.dicom.ErrorClass;
import org.imaginglakehouse.ingest.dicom.HeaderEntry;
import org.imaginglakehouse.ingest.dicom.ParseOutcome;
import org.imaginglakehouse.ingest.dicom.ParsedHeader;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Executor side of the ingest: reads each {@link SourceFile} (or each entry of a zip archive),
 * parses its header and returns one {@link IngestSchemas#STAGING_SCHEMA} row per input file.
 */
public final class FileParser implements Serializable {
  private static final long serialVersionUID = 1L;
  public static final String OUTCOME_INSTANCE = "instance";
  public static final String OUTCOME_ERROR = "error";
  public static final String OUTCOME_SKIPPED = "skipped";

  private static final StructType S = IngestSchemas.STAGING_SCHEMA;

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

  /** Parses a partition of inputs. */
  public Iterator<Row> parse(Iterator<SourceFile> files) {
    DicomHeaderParser parser = new DicomHeaderParser(checksumMode);
    List<Row> out = new ArrayList<>();
    while (files.hasNext()) {
      SourceFile f = files.next();
      if (f.archive()) {
        parseArchive(parser, f, out);
      } else {
        out.add(parseFile(parser, f));
      }
    }
    return out.iterator();
  }

  private Row parseFile(DicomHeaderParser parser, SourceFile f) {
    if (f.size() < 0) {
      return row(
          f.path(),
          null,
          null,
          f,
          null,
          null,
          new ParseOutcome.Rejected(ErrorClass.UNREADABLE, "listed but not found"));
    }
    ParseOutcome outcome;
    try (InputStream in = open(f.path())) {
      outcome = parser.parse(in, f.size(), f.name());
    } catch (NoSuchFileException | java.io.FileNotFoundException e) {
      outcome = new ParseOutcome.Rejected(ErrorClass.UNREADABLE, "vanished after listing");
    } catch (IOException | RuntimeException e) {
      outcome = new ParseOutcome.Rejected(ErrorClass.UNREADABLE, "cannot open: " + e);
    }
    return row(f.path(), null, null, f, null, null, outcome);
  }

  private void parseArchive(DicomHeaderParser parser, SourceFile f, List<Row> out) {
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
          out.add(
              row(
                  entryFile.path(),
                  f.path(),
                  name,
                  entryFile,
                  f.size(),
                  f.modifiedMillis(),
                  outcome));
        }
      }
    } catch (IOException | RuntimeException e) {
      out.add(
          row(
              f.path(),
              null,
              null,
              f,
              null,
              null,
              new ParseOutcome.Rejected(
                  ErrorClass.UNREADABLE, "not a readable zip archive: " + e.getMessage())));
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

  private Row row(
      String filePath,
      String archivePath,
      String archiveEntry,
      SourceFile f,
      Long containerSize,
      Long containerModified,
      ParseOutcome outcome) {
    Object[] v = new Object[S.length()];
    set(v, "archive_path", archivePath);
    set(v, "archive_entry", archiveEntry);
    set(v, "container_size", containerSize);
    set(
        v,
        "container_modified",
        containerModified == null ? null : new Timestamp(containerModified));
    set(v, "file_path", filePath);
    set(v, "file_size", f.size());
    set(v, "file_modified", new Timestamp(f.modifiedMillis()));
    set(v, "ingest_run_id", runId);
    set(v, "ingest_time", new Timestamp(ingestMillis));
    if (outcome instanceof ParseOutcome.Rejected r) {
      set(v, "outcome", OUTCOME_ERROR);
      set(v, "error_class", r.errorClass().id());
      set(v, "message", r.message());
    } else if (outcome instanceof ParseOutcome.Skipped s) {
      set(v, "outcome", OUTCOME_SKIPPED);
      set(v, "error_class", s.reason());
      set(v, "message", s.message());
    } else if (outcome instanceof ParseOutcome.Instance i) {
      set(v, "outcome", OUTCOME_INSTANCE);
      fill(v, i.header());
    }
    return RowFactory.create(v);
  }

  private static void fill(Object[] v, ParsedHeader h) {
    for (String k : ParsedHeader.STRING_KEYWORDS) {
      set(v, k, h.string(k));
    }
    for (String k : ParsedHeader.INT_KEYWORDS) {
      set(v, k, h.integer(k));
    }
    set(v, "ImageType", h.imageType() == null ? null : seq(h.imageType()));
    set(v, "pixel_data_offset", h.pixelDataOffset());
    set(v, "pixel_data_length", h.pixelDataLength());
    set(v, "pixel_data_vr", h.pixelDataVr());
    set(v, "header_length", h.headerLength());
    set(v, "file_checksum", h.checksum());
    List<Row> entries = new ArrayList<>(h.header().size());
    for (HeaderEntry e : h.header()) {
      entries.add(
          RowFactory.create(
              e.path(),
              e.tag(),
              e.keyword(),
              e.vr(),
              e.privateCreator(),
              e.values() == null ? null : seq(e.values()),
              e.binary()));
    }
    set(v, "header", seq(entries));
  }

  private static <T> scala.collection.immutable.Seq<T> seq(List<T> list) {
    return CollectionConverters.asScala(list == null ? Collections.<T>emptyList() : list).toList();
  }

  private static void set(Object[] v, String field, Object value) {
    v[S.fieldIndex(field)] = value;
  }
}
