package org.imaginglakehouse.transform.cohort;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.imaginglakehouse.core.LakehouseException;
import org.imaginglakehouse.core.config.LakehouseConfig;
import org.imaginglakehouse.core.job.AbstractJob;
import org.imaginglakehouse.core.job.JobOptions;
import org.imaginglakehouse.core.job.JobResult;
import org.imaginglakehouse.core.job.JobStatus;
import org.imaginglakehouse.core.job.RunContext;
import org.imaginglakehouse.core.spark.ZoneCatalog;
import org.imaginglakehouse.core.zone.Zone;

/**
 * Re-executes a cohort's pinned SQL (Delta time travel to the versions recorded at creation) and
 * proves the result identical to the stored members: same row count, same order-independent hash,
 * and no row missing or extra in either direction (EXCEPT ALL both ways, attributes compared in
 * canonical key order). Fails (exit 1) when the result differs or a pinned version is no longer
 * readable (e.g. removed by VACUUM).
 *
 * <p>A cohort whose recorded hash predates the canonical form ({@link Cohorts#isLegacyHash}) is
 * still re-run exactly: its recorded hash is checked against the stored members with the old
 * formula, and the fresh result is compared with those members row by row.
 */
public final class CohortRerunJob extends AbstractJob<CohortResult> {
  public static final String NAME = "cohort_rerun";
  public static final String OPTION_NAME = "name";

  private String hash;
  private Boolean identical;
  private boolean legacyHash;

  public CohortRerunJob(SparkSession spark, LakehouseConfig config, JobOptions options) {
    super(spark, config, options);
  }

  public static CohortRerunJob of(
      SparkSession spark, LakehouseConfig config, Map<String, String> options) {
    return new CohortRerunJob(spark, config, JobOptions.of(config, NAME, options));
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  protected Zone runLogZone() {
    return Zone.DEIDENTIFIED;
  }

  @Override
  protected JobStatus run(RunContext run) {
    String name = Cohorts.checkName(options.require(OPTION_NAME));
    Cohorts cohorts = new Cohorts(spark, layout);
    Cohorts.Definition definition = cohorts.require(name);
    registerTablesRead(definition);
    Dataset<Row> fresh;
    try {
      CohortSql.verifyPinned(
          spark,
          definition.pinnedSql(),
          definition.tablesRead(),
          layout.root(Zone.DEIDENTIFIED),
          Zone.DEIDENTIFIED.id());
      Dataset<Row> result = spark.sql(definition.pinnedSql());
      fresh =
          Cohorts.toMembers(result, definition.level(), name, definition.attributeColumns())
              .where(complete(definition.level()))
              .cache();
      fresh.count();
    } catch (LakehouseException e) {
      throw e;
    } catch (Exception e) {
      // Exception, not RuntimeException: Spark throws its checked SparkException undeclared (a
      // data file VACUUM removed: FAILED_READ_FILE.FILE_NOT_EXIST).
      throw new LakehouseException(
          "Cannot re-execute cohort '"
              + name
              + "' at its pinned versions "
              + definition.tablesRead()
              + ": "
              + e.getMessage()
              + ". If a table was vacuumed past these versions, the cohort can no longer be"
              + " reproduced from the lakehouse.",
          e);
    }
    try {
      hash = Cohorts.hash(fresh);
      long count = fresh.count();
      Dataset<Row> storedMembers = cohorts.members(name);
      Dataset<Row> stored = Cohorts.comparable(storedMembers);
      Dataset<Row> now = Cohorts.comparable(fresh);
      long missing = stored.exceptAll(now).count();
      long extra = now.exceptAll(stored).count();
      run.count("members", count);
      run.count("stored_members", definition.memberCount());
      run.count("missing_rows", missing);
      run.count("extra_rows", extra);
      boolean hashMatches;
      if (Cohorts.isLegacyHash(definition.resultHash())) {
        // Created before attributes were hashed in canonical form: that hash depends on the
        // stored key order, so it can only vouch for the stored members; the fresh result is
        // compared with them row by row, in canonical form, above.
        legacyHash = true;
        run.count("legacy_hash", 1);
        hashMatches = Cohorts.legacyHash(storedMembers).equals(definition.resultHash());
        run.count("stored_members_changed", hashMatches ? 0 : 1);
      } else {
        hashMatches = hash.equals(definition.resultHash());
      }
      identical = missing == 0 && extra == 0 && count == definition.memberCount() && hashMatches;
      cohorts.recordRerun(name, Timestamp.from(Instant.now()), identical, run.runId());
      return identical ? JobStatus.SUCCEEDED : JobStatus.FAILED;
    } finally {
      fresh.unpersist();
    }
  }

  /**
   * The pinned SQL names its tables ({@code deidentified.series}); a session that has not
   * registered the zone (a job run outside the CLI, e.g. from another application) gets them
   * registered here, without touching the rest of its catalog.
   */
  private void registerTablesRead(Cohorts.Definition definition) {
    ZoneCatalog catalog = new ZoneCatalog(spark, layout, java.util.Set.of(Zone.DEIDENTIFIED));
    String prefix = Zone.DEIDENTIFIED.id() + ".";
    for (CohortSql.TableVersion t : definition.tablesRead()) {
      if (t.name().startsWith(prefix)) {
        String table = t.name().substring(prefix.length());
        if (!spark.catalog().tableExists(Zone.DEIDENTIFIED.id(), table)) {
          catalog.register(Zone.DEIDENTIFIED, table);
        }
      }
    }
  }

  private static org.apache.spark.sql.Column complete(CohortLevel level) {
    org.apache.spark.sql.Column c = org.apache.spark.sql.functions.col(Cohorts.EUPI).isNotNull();
    for (String uid : level.uidColumns()) {
      c = c.and(org.apache.spark.sql.functions.col(uid).isNotNull());
    }
    return c;
  }

  @Override
  protected CohortResult result(JobResult generic) {
    return new CohortResult(generic, options.get(OPTION_NAME, ""), hash, identical, legacyHash);
  }
}
