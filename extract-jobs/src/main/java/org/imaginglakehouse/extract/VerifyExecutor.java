package org.imaginglakehouse.extract;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.imaginglakehouse.core.io.SourceFiles;
import org.imaginglakehouse.extract.pixel.Region;
import org.imaginglakehouse.extract.verify.DicomTools;
import org.imaginglakehouse.extract.verify.Failure;
import org.imaginglakehouse.extract.verify.FileVerifier;
import org.imaginglakehouse.extract.verify.IdentifyingValues;
import org.imaginglakehouse.extract.verify.PixelOcr;
import org.imaginglakehouse.transform.ocr.IdentityMatcher;
import org.imaginglakehouse.transform.ocr.OcrSettings;

/**
 * The executor side of {@link VerifyJob}: the identifying values gathered from the sources'
 * headers, and the scan, in which every file is read and checked by {@link FileVerifier} (then
 * {@link PixelOcr} for redacted and sampled images, and dcmdump over the sampled files of a
 * partition in batches), its findings one {@link VerifyJob#REPORT_SCHEMA} row; and the settings
 * shipped to the executors.
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
    return found.isEmpty() ? report : withFailures(report, found);
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

  /**
   * The local file dcmdump reads later, in a batch ({@link #withDcmdump}), for a DICOM file in the
   * dcmdump sample on a local file system; null: not sampled, or read by dcmdump at once (from a
   * temporary copy).
   */
  static java.nio.file.Path dcmdumpLater(VerifyJob.Settings s, String path) throws IOException {
    if (!path.endsWith(".dcm") || !VerifyJob.sampled(path, s.dcmdumpSample())) {
      return null;
    }
    Path file = new Path(s.root() + "/" + path);
    return "file".equals(ProjectFiles.fs(file).getUri().getScheme())
        ? java.nio.file.Path.of(file.toUri().getPath())
        : null;
  }

  /**
   * Runs dcmdump in batches over {@code later} (index in {@code reports} → local file; {@link
   * #dcmdumpLater}) and adds its findings to those reports. A file that did not parse or could not
   * be read is not given to dcmdump (as when it runs per file).
   */
  static void withDcmdump(
      List<Row> reports, Map<Integer, java.nio.file.Path> later, DicomTools tools)
      throws IOException {
    Map<Integer, java.nio.file.Path> dumped = new java.util.LinkedHashMap<>();
    later.forEach(
        (i, file) -> {
          Row r = reports.get(i);
          boolean parsed =
              !r.isNullAt(1)
                  && r.<Row>getList(4).stream()
                      .noneMatch(f -> Failure.Check.PARSE.equals(f.getString(0)));
          if (parsed) {
            dumped.put(i, file);
          }
        });
    Map<java.nio.file.Path, String> problems =
        tools.dcmdumpProblems(new ArrayList<>(dumped.values()));
    for (Map.Entry<Integer, java.nio.file.Path> e : dumped.entrySet()) {
      String problem = problems.get(e.getValue());
      if (problem != null) {
        Row r = reports.get(e.getKey());
        reports.set(
            e.getKey(),
            withFailures(
                r,
                List.of(
                    new Failure(
                        r.getString(0), Failure.Check.DCMDUMP, null, -1, Failure.ERROR, problem))));
      }
    }
  }

  /** {@code report} with {@code found} added to its failures. */
  private static Row withFailures(Row report, List<Failure> found) {
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

  /**
   * Verifies one file on an executor; never throws for a problem of the file itself. {@code
   * dcmdumpLater}: dcmdump is left to {@link #withDcmdump} (the caller checked {@link
   * #dcmdumpLater}).
   */
  static Row verifyOne(
      FileVerifier verifier,
      VerifyJob.Settings s,
      String path,
      String expected,
      String source,
      String sourceBirthDate,
      boolean dcmdumpLater)
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
                !dcmdumpLater && VerifyJob.sampled(path, s.dcmdumpSample()),
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

  /** What every task of one scan shares in an executor JVM: settings, tools and verifier. */
  record Shared(
      byte[] bytes, VerifyJob.Settings settings, DicomTools tools, FileVerifier verifier) {}

  private static final AtomicReference<Shared> SHARED = new AtomicReference<>();

  /**
   * The executor's {@link Shared} for these broadcast bytes, built once: a verifier's scanner of
   * the extraction's thousands of values cost a tenth of verify's executor time when each of the
   * scan's partitions built its own (JFR, 6,187 CT files). Matched on the bytes' content, not an
   * id, so a later scan (another extraction, another SparkContext in the same JVM) never gets a
   * stale verifier with another extraction's values.
   */
  static Shared shared(byte[] bytes) throws IOException {
    Shared current = SHARED.get();
    if (current != null && (current.bytes() == bytes || Arrays.equals(current.bytes(), bytes))) {
      return current;
    }
    synchronized (SHARED) {
      current = SHARED.get();
      if (current == null || !Arrays.equals(current.bytes(), bytes)) {
        VerifyJob.Settings s = deserialise(bytes);
        DicomTools tools = new DicomTools(s.dcmdump(), s.dciodvfy());
        current = new Shared(bytes, s, tools, new FileVerifier(s.values(), s.sops(), tools));
        SHARED.set(current);
      }
      return current;
    }
  }

  /**
   * Every task ({@code path}, expected SHA-256, source file, source birth date, name, patient ID
   * and accession of the source) verified on the executors, four partitions per core: one {@link
   * VerifyJob#REPORT_SCHEMA} row each.
   */
  static List<Row> scan(SparkSession spark, List<Row> tasks, VerifyJob.Settings settings) {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    // Java-serialised: the session's Kryo serialiser cannot rebuild records and immutable lists.
    Broadcast<byte[]> shared = jsc.broadcast(serialise(settings));
    int slices = (int) Math.max(1, Math.min(tasks.size(), jsc.defaultParallelism() * 4L));
    StructType taskSchema =
        new StructType()
            .add("path", DataTypes.StringType, false)
            .add("sha256", DataTypes.StringType, true)
            .add("file_path", DataTypes.StringType, true)
            .add("source_birth_date", DataTypes.StringType, true)
            .add("source_patient_name", DataTypes.StringType, true)
            .add("source_patient_id", DataTypes.StringType, true)
            .add("source_accession", DataTypes.StringType, true);
    MapPartitionsFunction<Row, Row> verify =
        rows -> {
          Shared one = shared(shared.value());
          VerifyJob.Settings s = one.settings();
          DicomTools tools = one.tools();
          FileVerifier verifier = one.verifier();
          PixelOcr ocr = new PixelOcr(OcrSettings.defaults());
          List<Row> out = new ArrayList<>();
          // dcmdump's sample: one process per batch of the partition's files, after the loop.
          Map<Integer, java.nio.file.Path> dcmdumpLater = new java.util.LinkedHashMap<>();
          while (rows.hasNext()) {
            Row r = rows.next();
            java.nio.file.Path later = dcmdumpLater(s, r.getString(0));
            if (later != null) {
              dcmdumpLater.put(out.size(), later);
            }
            Row report =
                verifyOne(
                    verifier,
                    s,
                    r.getString(0),
                    r.getString(1),
                    r.getString(2),
                    r.getString(3),
                    later != null);
            out.add(
                withPixelOcr(
                    report,
                    ocr,
                    s,
                    IdentityMatcher.of(
                        r.getString(4), r.getString(5), r.getString(3), r.getString(6))));
          }
          withDcmdump(out, dcmdumpLater, tools);
          return out.iterator();
        };
    return spark
        .createDataFrame(tasks, taskSchema)
        .repartition(slices)
        .mapPartitions(verify, Encoders.row(VerifyJob.REPORT_SCHEMA))
        .collectAsList();
  }

  /** The identifying values of every source instance of the extraction (on the executors). */
  static List<IdentifyingValues.Value> identifyingValues(Dataset<Row> joined) {
    MapPartitionsFunction<Row, String> extract =
        rows -> {
          IdentifyingValues iv = new IdentifyingValues();
          while (rows.hasNext()) {
            Row r = rows.next();
            if (r.isNullAt(0)) {
              continue;
            }
            for (Row e : r.<Row>getList(0)) {
              iv.add(
                  e.getAs("keyword"),
                  e.getAs("vr"),
                  e.isNullAt(e.fieldIndex("values"))
                      ? null
                      : e.<String>getList(e.fieldIndex("values")));
            }
          }
          return iv.values().stream()
              .filter(v -> !v.kind().equals(IdentifyingValues.BIRTH_DATE)) // per file, see there
              .map(v -> v.kind() + "\u0000" + v.text())
              .iterator();
        };
    List<IdentifyingValues.Value> out = new ArrayList<>();
    for (String s :
        joined
            .select("header")
            .mapPartitions(extract, Encoders.STRING())
            .distinct()
            .orderBy("value")
            .collectAsList()) {
      int nul = s.indexOf('\u0000');
      out.add(new IdentifyingValues.Value(s.substring(0, nul), s.substring(nul + 1)));
    }
    return out;
  }
}
