package org.imaginglakehouse.extract;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.imaginglakehouse.core.LakehouseException;
import org.imaginglakehouse.core.config.LakehouseConfig;
import org.imaginglakehouse.core.job.JobOptions;
import org.imaginglakehouse.core.job.JobResult;
import org.imaginglakehouse.core.job.JobStatus;
import org.imaginglakehouse.core.job.RunContext;

/**
 * {@code lakehouse release}: moves a verified extraction to {@code <project>/releases/<id>/} (a
 * rename on a local or HDFS file system; a copy and a {@code RELEASED} marker on object stores).
 * Refused unless the extraction's last verification is clean, or approved by a named approver with
 * a reason. Every file is hashed again on the way and must match {@code VERIFIED.sha256}: no file
 * verify did not scan, and no byte changed since, reaches the release area. Every decision, release
 * or refusal, is appended to {@code project_<P>.audit}.
 */
public final class ReleaseJob extends ProjectJob<JobResult> {
  public static final String NAME = "release";
  public static final String OPTION_PROJECT = "project";
  public static final String OPTION_EXTRACTION = "extraction";

  /**
   * Release despite verification errors; needs {@link #OPTION_REASON} and {@link #OPTION_APPROVER}.
   */
  public static final String OPTION_APPROVE_FAILURES = "approve-failures";

  public static final String OPTION_REASON = "reason";

  /** Who decides; default: the operating-system user (required with approve-failures). */
  public static final String OPTION_APPROVER = "approver";

  public static final String RELEASES_DIR = "releases";
  public static final String RELEASED_MARKER = "RELEASED";

  public ReleaseJob(SparkSession spark, LakehouseConfig config, JobOptions options) {
    super(spark, config, options);
  }

  public static ReleaseJob of(
      SparkSession spark, LakehouseConfig config, Map<String, String> options) {
    return new ReleaseJob(spark, config, JobOptions.of(config, NAME, options));
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  protected Map<String, String> runLogDetails() {
    if (approving()) {
      if (options.get(OPTION_REASON, "").isBlank() || options.get(OPTION_APPROVER, "").isBlank()) {
        throw new LakehouseException(
            "--approve-failures needs --reason TEXT and --approver NAME: an approval is recorded"
                + " in project_"
                + projectName()
                + ".audit with who approved what and why");
      }
    }
    return Map.of("extraction_id", extractionId(), "decided_by", decidedBy());
  }

  private boolean approving() {
    return options.getBoolean(OPTION_APPROVE_FAILURES, false);
  }

  private String decidedBy() {
    String approver = options.get(OPTION_APPROVER, "");
    return approver.isBlank() ? System.getProperty("user.name", "unknown") : approver.strip();
  }

  @Override
  protected JobStatus run(RunContext run) {
    String project = projectName();
    String id = extractionId();
    ExtractionState state = new ExtractionState(spark, layout, project);
    ExtractionState.Extraction e = state.extraction(id);
    String root = ExtractJob.extractionRoot(layout, project, id);
    String target = layout.projectRoot(project) + "/" + RELEASES_DIR + "/" + id;
    String reason = options.get(OPTION_REASON, null);
    if (e == null || ExtractionState.PENDING.equals(e.status())) {
      throw refuse(
          state,
          id,
          e,
          reason,
          run,
          "Extraction '"
              + id
              + "' is not verified: run `lakehouse verify --project "
              + project
              + " --extraction "
              + id
              + "` first");
    }
    if (ExtractionState.RELEASED.equals(e.status())) {
      throw new LakehouseException(
          "Extraction '" + id + "' is already released to " + e.releaseLocation());
    }
    List<String> approved = List.of();
    if (ExtractionState.FAILED.equals(e.status())) {
      if (!approving()) {
        throw refuse(
            state,
            id,
            e,
            reason,
            run,
            "Extraction '"
                + id
                + "' failed verification with "
                + e.errors()
                + " error(s): see"
                + " verification_failures.csv in "
                + root
                + "; fix and extract/verify again, or"
                + " release with --approve-failures --reason TEXT --approver NAME");
      }
      approved = state.errorIds(id);
    }
    Map<String, String> verified = verifiedList(root, e, state, reason, run);
    long files;
    try {
      files = run.time("move", () -> move(root, target, verified));
    } catch (LakehouseException ex) {
      state.audit(
          id,
          "refused",
          decidedBy(),
          reason,
          approved,
          e.verifyRunId(),
          0,
          null,
          ex.getMessage(),
          run.runId());
      throw ex;
    }
    run.count("files_released", files);
    run.count("failures_approved", approved.size());
    Instant now = Instant.now();
    state.audit(
        id,
        approved.isEmpty() ? "released" : "released_with_approval",
        decidedBy(),
        reason,
        approved,
        e.verifyRunId(),
        files,
        target,
        null,
        run.runId());
    state.put(
        new ExtractionState.Extraction(
            id,
            ExtractionState.RELEASED,
            e.files(),
            e.bytes(),
            e.errors(),
            e.warnings(),
            e.verifiedListSha256(),
            e.verifyRunId(),
            target),
        null,
        now);
    return JobStatus.SUCCEEDED;
  }

  private LakehouseException refuse(
      ExtractionState state,
      String id,
      ExtractionState.Extraction e,
      String reason,
      RunContext run,
      String message) {
    state.audit(
        id,
        "refused",
        decidedBy(),
        reason,
        List.of(),
        e == null ? null : e.verifyRunId(),
        0,
        null,
        message,
        run.runId());
    return new LakehouseException(message);
  }

  /** VERIFIED.sha256 of the extraction, checked against the hash verify recorded. */
  private Map<String, String> verifiedList(
      String root,
      ExtractionState.Extraction e,
      ExtractionState state,
      String reason,
      RunContext run) {
    Path list = new Path(root, VerifyJob.VERIFIED_LIST);
    byte[] bytes = ProjectFiles.exists(list) ? ProjectFiles.read(list) : null;
    if (bytes == null || !sha256(bytes).equals(e.verifiedListSha256())) {
      throw refuse(
          state,
          e.id(),
          e,
          reason,
          run,
          "The extraction's "
              + VerifyJob.VERIFIED_LIST
              + " is missing or is not the one the last"
              + " verification wrote: run `lakehouse verify` again");
    }
    Map<String, String> out = new TreeMap<>();
    for (String line : new String(bytes, StandardCharsets.UTF_8).split("\n")) {
      if (line.length() > 66) {
        out.put(line.substring(66), line.substring(0, 64));
      }
    }
    return out;
  }

  /**
   * Hashes every file and compares it with the verified list, then moves the extraction (rename)
   * or, where a rename is a copy anyway (object stores), copies each file while hashing it.
   */
  static long move(String root, String target, Map<String, String> verified) {
    Path from = new Path(root);
    Path to = new Path(target);
    try {
      FileSystem fs = ProjectFiles.fs(from);
      if (fs.exists(to)) {
        throw new LakehouseException("The release area " + target + " already exists");
      }
      List<String> present = list(fs, from);
      List<String> problems = new ArrayList<>();
      for (String p : verified.keySet()) {
        if (!present.contains(p)) {
          problems.add(p + ": verified but missing");
        }
      }
      for (String p : present) {
        if (!p.equals(VerifyJob.VERIFIED_LIST) && !verified.containsKey(p)) {
          problems.add(p + ": not verified");
        }
      }
      check(problems);
      boolean rename =
          "file".equals(fs.getUri().getScheme()) || "hdfs".equals(fs.getUri().getScheme());
      if (rename) {
        for (String p : verified.keySet()) {
          try (InputStream in = fs.open(new Path(from, p))) {
            if (!hash(in).equals(verified.get(p))) {
              problems.add(p + ": changed since verification");
            }
          }
        }
        check(problems);
        fs.mkdirs(to.getParent());
        if (!fs.rename(from, to)) {
          throw new LakehouseException("Could not move " + root + " to " + target);
        }
      } else {
        for (String p : present) {
          String sum;
          try (InputStream in = fs.open(new Path(from, p));
              OutputStream out = fs.create(new Path(to, p), false)) {
            sum = copy(in, out);
          }
          if (!p.equals(VerifyJob.VERIFIED_LIST) && !sum.equals(verified.get(p))) {
            fs.delete(to, true);
            throw new LakehouseException("Release refused: " + p + " changed since verification");
          }
        }
        ProjectFiles.write(new Path(to, RELEASED_MARKER), new byte[0]);
        ProjectFiles.write(
            new Path(from, RELEASED_MARKER), target.getBytes(StandardCharsets.UTF_8));
      }
      return verified.keySet().stream().filter(p -> p.endsWith(".dcm")).count();
    } catch (IOException ex) {
      throw new LakehouseException("Could not release " + root + ": " + ex.getMessage(), ex);
    }
  }

  private static void check(List<String> problems) {
    if (!problems.isEmpty()) {
      throw new LakehouseException(
          "Release refused, "
              + problems.size()
              + " file(s) differ from what verify scanned (first: "
              + problems.get(0)
              + "): run `lakehouse verify` again");
    }
  }

  private static List<String> list(FileSystem fs, Path root) throws IOException {
    return ProjectFiles.relativeFiles(fs, root);
  }

  private static String hash(InputStream in) throws IOException {
    return copy(in, OutputStream.nullOutputStream());
  }

  private static String copy(InputStream in, OutputStream out) throws IOException {
    try {
      DigestInputStream d = new DigestInputStream(in, MessageDigest.getInstance("SHA-256"));
      d.transferTo(out);
      return HexFormat.of().formatHex(d.getMessageDigest().digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static String sha256(byte[] bytes) {
    return org.imaginglakehouse.extract.verify.Failure.sha256(bytes);
  }

  @Override
  protected JobResult result(JobResult generic) {
    return generic;
  }
}
