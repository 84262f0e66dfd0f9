package org.imaginglakehouse.core.maintenance;

import io.delta.tables.DeltaTable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.imaginglakehouse.core.LakehouseException;
import org.imaginglakehouse.core.config.LakehouseConfig;
import org.imaginglakehouse.core.job.AbstractJob;
import org.imaginglakehouse.core.job.JobOptions;
import org.imaginglakehouse.core.job.JobResult;
import org.imaginglakehouse.core.job.JobStatus;
import org.imaginglakehouse.core.job.RunContext;
import org.imaginglakehouse.core.spark.SessionSettings;
import org.imaginglakehouse.core.spark.ZoneCatalog;
import org.imaginglakehouse.core.zone.Zone;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Compacts small files (Delta OPTIMIZE) of every table in one zone and, when asked, removes files
 * no longer referenced (VACUUM) after the retention period, under the cohort-retention rule ({@link
 * CohortRetentionRule}): a cohort created within {@code cohort-retention-days} stays reproducible
 * at its pinned versions. On the de-identified zone the job also keeps each table's log and
 * tombstone retention properties at least as long as the rule needs.
 */
public final class OptimizeJob extends AbstractJob<JobResult> {
  public static final String NAME = "optimize";
  private static final Logger LOG = LoggerFactory.getLogger(OptimizeJob.class);

  public static final String OPTION_ZONE = "zone";
  public static final String DEFAULT_ZONE = "identifiable";
  public static final String OPTION_VACUUM = "vacuum";
  public static final boolean DEFAULT_VACUUM = false;

  /** Default seven days, Delta's own minimum without disabling its safety check. */
  public static final String OPTION_RETAIN_HOURS = "retain-hours";

  public static final long DEFAULT_RETAIN_HOURS = 168;

  /** How long after its creation a cohort must stay reproducible (the Airflow Variable's). */
  public static final String OPTION_COHORT_RETENTION_DAYS = "cohort-retention-days";

  public static final long DEFAULT_COHORT_RETENTION_DAYS = 365;

  /** Added to every retention the rule computes: clock skew between writers and storage. */
  public static final String OPTION_PIN_MARGIN_MINUTES = "pin-margin-minutes";

  public static final long DEFAULT_PIN_MARGIN_MINUTES = 60;

  static final String RETENTION_CHECK = "spark.databricks.delta.retentionDurationCheck.enabled";

  /**
   * Delta 4.4 ignores a VACUUM retention other than 0 hours unless this (internal, default true)
   * setting is off, and uses the table's {@code delta.deletedFileRetentionDuration} instead; the
   * job turns it off around its VACUUM so that the retention the rule computed is the one applied.
   */
  static final String RETENTION_WINDOW_IGNORE =
      "spark.databricks.delta.vacuum.retentionWindowIgnore.enabled";

  /**
   * How many tasks VACUUM lists and compares a table's files in. Delta takes Spark's {@code
   * spark.sql.sources.parallelPartitionDiscovery.parallelism} (10,000 by default), which costs
   * 35-65 s of task overhead per table on 2 cores even for a table of a few files
   * (docs/benchmarks.md, "Maintenance and small files"); 0 = 4 tasks per core of the application.
   */
  public static final String OPTION_VACUUM_PARALLELISM = "vacuum-parallelism";

  public static final long DEFAULT_VACUUM_PARALLELISM = 0;

  static final String LISTING_PARALLELISM =
      "spark.sql.sources.parallelPartitionDiscovery.parallelism";

  private final Zone zone;

  public OptimizeJob(SparkSession spark, LakehouseConfig config, JobOptions options) {
    super(spark, config, options);
    this.zone = Zone.fromId(options.get(OPTION_ZONE, DEFAULT_ZONE));
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  protected Zone runLogZone() {
    return zone == Zone.PROJECTS ? Zone.IDENTIFIABLE : zone;
  }

  @Override
  protected JobStatus run(RunContext run) {
    List<ZoneCatalog.TableRef> tables = new ZoneCatalog(spark, layout, Set.of(zone)).registerAll();
    boolean vacuum = options.getBoolean(OPTION_VACUUM, DEFAULT_VACUUM);
    long retainHours = options.getLong(OPTION_RETAIN_HOURS, DEFAULT_RETAIN_HOURS);
    long retentionDays =
        options.getLong(OPTION_COHORT_RETENTION_DAYS, DEFAULT_COHORT_RETENTION_DAYS);
    long marginMinutes = options.getLong(OPTION_PIN_MARGIN_MINUTES, DEFAULT_PIN_MARGIN_MINUTES);
    long parallelism = options.getLong(OPTION_VACUUM_PARALLELISM, DEFAULT_VACUUM_PARALLELISM);
    if (retainHours < 0 || retentionDays < 0 || marginMinutes < 0 || parallelism < 0) {
      throw new LakehouseException(
          "optimize: --retain-hours, --cohort-retention-days, pin-margin-minutes and"
              + " vacuum-parallelism must not be negative");
    }
    long listingParallelism =
        parallelism > 0 ? parallelism : 4L * Math.max(1, spark.sparkContext().defaultParallelism());
    CohortRetentionRule rule =
        new CohortRetentionRule(
            Duration.ofDays(retentionDays), Duration.ofMinutes(marginMinutes), Instant.now());
    // Read before anything changes; unreadable cohorts fail the run (fail closed).
    List<CohortPin> pins = run.time("read_cohort_pins", this::readPins);
    run.count("cohort_pins", pins.size());
    List<String> done = new ArrayList<>();
    long maxRetained = 0;
    for (ZoneCatalog.TableRef table : tables) {
      String location = qualified(table.location());
      run.time(
          "optimize",
          () -> {
            DeltaTable delta = DeltaTable.forPath(spark, table.location());
            long removed =
                delta
                    .optimize()
                    .executeCompaction()
                    .selectExpr("metrics.numFilesRemoved")
                    .first()
                    .getLong(0);
            run.add("files_compacted", removed);
          });
      List<CohortPin> live = withCommitTimes(table, rule.livePins(pins, location));
      run.add("tables_pinned", live.isEmpty() ? 0 : 1);
      // What Delta kept of the tombstones before this run raised anything.
      Duration tombstonesKept = live.isEmpty() ? null : tombstoneRetention(table);
      if (zone == Zone.DEIDENTIFIED) {
        run.time("retention_properties", () -> keepLogFor(run, table, rule, live));
      }
      if (vacuum) {
        long used =
            run.time(
                "vacuum",
                () ->
                    vacuum(
                        run, table, rule, retainHours, live, tombstonesKept, listingParallelism));
        maxRetained = Math.max(maxRetained, used);
        run.count("vacuum_retain_hours_max", maxRetained);
      }
      done.add(table.qualifiedName());
    }
    run.count("tables", done.size());
    return JobStatus.SUCCEEDED;
  }

  /** VACUUMs one table under the rule; returns the retention used, in whole hours (rounded up). */
  private long vacuum(
      RunContext run,
      ZoneCatalog.TableRef table,
      CohortRetentionRule rule,
      long retainHours,
      List<CohortPin> live,
      Duration tombstonesKept,
      long listingParallelism) {
    Optional<Duration> floor =
        Boolean.parseBoolean(spark.conf().get(RETENTION_CHECK, "true"))
            ? Optional.of(tombstoneRetention(table))
            : Optional.empty();
    // Live cohorts as of the run's start; the retention they need as of now, right before VACUUM.
    CohortRetentionRule.VacuumPlan plan =
        rule.at(Instant.now())
            .vacuum(
                table.qualifiedName(),
                retainHours,
                live,
                floor,
                tombstonesKept,
                p -> oldestFileWritten(table, p));
    if (plan.raised()) {
      CohortPin p = plan.protecting();
      run.add("vacuum_retention_raised", 1);
      LOG.warn(
          String.format(
              Locale.ROOT,
              "VACUUM %s keeps %.1f h of removed files instead of %d h: cohort '%s' must stay"
                  + " reproducible at version %d (committed %s)",
              table.qualifiedName(),
              plan.retainHours(),
              retainHours,
              p.cohort(),
              p.version(),
              p.committedAt()));
    }
    SessionSettings.with(
        spark,
        Map.of(
            RETENTION_WINDOW_IGNORE,
            "false",
            LISTING_PARALLELISM,
            Long.toString(listingParallelism)),
        () -> DeltaTable.forPath(spark, table.location()).vacuum(plan.retainHours()));
    run.add("tables_vacuumed", 1);
    return (long) Math.ceil(plan.retainHours());
  }

  /** Raises the log, checkpoint and tombstone retention of a table to what the rule needs. */
  private void keepLogFor(
      RunContext run, ZoneCatalog.TableRef table, CohortRetentionRule rule, List<CohortPin> live) {
    Duration required = rule.requiredRetention(live);
    Map<String, String> current = properties(table);
    Map<String, String> raise = new LinkedHashMap<>();
    for (String property : CohortRetentionRule.RETENTION_PROPERTIES) {
      if (CohortRetentionRule.mustRaise(
          current.get(property), CohortRetentionRule.deltaDefault(property), required)) {
        raise.put(property, CohortRetentionRule.interval(required));
      }
    }
    if (raise.isEmpty()) {
      return;
    }
    StringBuilder sql =
        new StringBuilder("ALTER TABLE delta.`")
            .append(table.location().replace("`", "``"))
            .append("` SET TBLPROPERTIES (");
    String separator = "";
    for (Map.Entry<String, String> e : raise.entrySet()) {
      sql.append(separator).append('\'').append(e.getKey()).append("' = '");
      sql.append(e.getValue()).append('\'');
      separator = ", ";
    }
    spark.sql(sql.append(')').toString());
    run.add("retention_properties_raised", raise.size());
    LOG.info(
        "{}: {} set to {} (cohort retention rule)",
        table.qualifiedName(),
        raise.keySet(),
        CohortRetentionRule.interval(required));
  }

  /** The table's {@code delta.deletedFileRetentionDuration}; unreadable counts as none. */
  private Duration tombstoneRetention(ZoneCatalog.TableRef table) {
    String property = "delta.deletedFileRetentionDuration";
    String value = properties(table).get(property);
    return value == null
        ? CohortRetentionRule.deltaDefault(property)
        : CohortRetentionRule.parseInterval(value).orElse(Duration.ZERO);
  }

  /**
   * The modification time of the oldest data file the pinned version reads, or {@code null} when
   * one of them is missing or the version cannot be read.
   */
  private Instant oldestFileWritten(ZoneCatalog.TableRef table, CohortPin pin) {
    try {
      String[] files =
          spark
              .read()
              .format("delta")
              .option("versionAsOf", pin.version())
              .load(table.location())
              .inputFiles();
      long oldest = Long.MAX_VALUE;
      for (String f : files) {
        Path path = new Path(f);
        FileSystem fs = path.getFileSystem(spark.sparkContext().hadoopConfiguration());
        oldest = Math.min(oldest, fs.getFileStatus(path).getModificationTime());
      }
      return oldest == Long.MAX_VALUE ? pin.committedAt() : Instant.ofEpochMilli(oldest);
    } catch (IOException | RuntimeException e) {
      LOG.warn("{}: the files of version {} cannot be dated", table.qualifiedName(), pin.version());
      return null;
    }
  }

  private Map<String, String> properties(ZoneCatalog.TableRef table) {
    Row detail = DeltaTable.forPath(spark, table.location()).detail().first();
    Map<String, String> props = detail.getJavaMap(detail.fieldIndex("properties"));
    return props == null ? Map.of() : props;
  }

  /**
   * Every (cohort, table, version) of {@code deidentified.cohorts}, or none when no cohort was ever
   * made. The table is read by location, so it is found whatever zone this run optimizes.
   */
  private List<CohortPin> readPins() {
    String cohorts = layout.table(Zone.DEIDENTIFIED, "cohorts");
    if (!DeltaTable.isDeltaTable(spark, cohorts)) {
      return List.of();
    }
    List<CohortPin> pins = new ArrayList<>();
    for (Row r :
        spark
            .read()
            .format("delta")
            .load(cohorts)
            .selectExpr("cohort_name", "created_at", "explode(tables_read) AS t")
            .selectExpr("cohort_name", "created_at", "t.location", "t.version")
            .collectAsList()) {
      Timestamp created = r.getTimestamp(1);
      if (r.isNullAt(2) || r.isNullAt(3)) {
        throw new LakehouseException(
            "deidentified.cohorts: cohort '"
                + r.getString(0)
                + "' has a pinned table without location or version; cannot tell what VACUUM must"
                + " keep. Re-create the cohort (lakehouse cohort create --replace), then run"
                + " optimize again.");
      }
      pins.add(
          new CohortPin(
              r.getString(0),
              // No creation time: treat as made now (protected for the whole retention).
              created == null ? Instant.now() : created.toInstant(),
              qualified(r.getString(2)),
              r.getLong(3),
              null));
    }
    return pins;
  }

  /** The pins with the commit time of their versions, from the table's Delta history. */
  private List<CohortPin> withCommitTimes(ZoneCatalog.TableRef table, List<CohortPin> live) {
    if (live.isEmpty()) {
      return live;
    }
    long oldest = live.stream().mapToLong(CohortPin::version).min().orElseThrow();
    Map<Long, Instant> commits = new HashMap<>();
    for (Row r :
        DeltaTable.forPath(spark, table.location())
            .history()
            .where("version >= " + oldest)
            .select("version", "timestamp")
            .collectAsList()) {
      commits.put(r.getLong(0), r.getTimestamp(1).toInstant());
    }
    List<CohortPin> out = new ArrayList<>();
    for (CohortPin p : live) {
      out.add(p.committed(commits.get(p.version())));
    }
    return out;
  }

  /** The location with its scheme ({@code file:/...}, {@code s3a://...}), as Delta records it. */
  private String qualified(String location) {
    Path path = new Path(location);
    if (path.toUri().getScheme() != null) {
      return path.toString().replaceAll("/+$", "");
    }
    try {
      FileSystem fs = path.getFileSystem(spark.sparkContext().hadoopConfiguration());
      return fs.makeQualified(path).toString().replaceAll("/+$", "");
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot resolve table location " + location, e);
    }
  }

  @Override
  protected JobResult result(JobResult generic) {
    return generic;
  }
}
