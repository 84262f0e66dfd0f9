package org.imaginglakehouse.transform.cohort;

import static org.apache.spark.sql.functions.col;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
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
 * Creates a cohort from SQL over the de-identified zone: checks the SQL reads only de-identified
 * Delta tables, pins it to their current versions, executes the pinned SQL, and stores the members
 * and the definition (see {@link Cohorts}).
 */
public final class CohortCreateJob extends AbstractJob<CohortResult> {
  public static final String NAME = "cohort_create";
  public static final String OPTION_NAME = "name";
  public static final String OPTION_SQL = "sql";

  /** study, series or image; default: the finest level whose UID columns the query returns. */
  public static final String OPTION_LEVEL = "level";

  public static final String DEFAULT_LEVEL = "";

  /** Replace an existing cohort of the same name (default: refuse). */
  public static final String OPTION_REPLACE = "replace";

  public static final boolean DEFAULT_REPLACE = false;
  public static final String OPTION_CREATED_BY = "created-by";

  private String hash;

  public CohortCreateJob(SparkSession spark, LakehouseConfig config, JobOptions options) {
    super(spark, config, options);
  }

  public static CohortCreateJob of(
      SparkSession spark, LakehouseConfig config, Map<String, String> options) {
    return new CohortCreateJob(spark, config, JobOptions.of(config, NAME, options));
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
    String sql = options.require(OPTION_SQL);
    boolean replace = options.getBoolean(OPTION_REPLACE, DEFAULT_REPLACE);
    String createdBy = options.get(OPTION_CREATED_BY, System.getProperty("user.name"));
    Cohorts cohorts = new Cohorts(spark, layout);
    if (!replace && cohorts.find(name).isPresent()) {
      throw new LakehouseException(
          "Cohort '" + name + "' exists: choose another name, or pass --replace to redefine it");
    }
    CohortSql.Analysis analysis =
        run.time(
            "analyse",
            () ->
                CohortSql.analyse(
                    spark, sql, layout.root(Zone.DEIDENTIFIED), Zone.DEIDENTIFIED.id()));
    run.count("tables_read", analysis.tables().size());
    Dataset<Row> result = spark.sql(analysis.pinnedSql());
    CohortLevel level = level(result);
    List<String> attributes = Cohorts.attributeColumns(result);
    Dataset<Row> all = Cohorts.toMembers(result, level, name, attributes).cache();
    long incomplete;
    try {
      Column complete = col(Cohorts.EUPI).isNotNull();
      for (String uid : level.uidColumns()) {
        complete = complete.and(col(uid).isNotNull());
      }
      incomplete = all.where(org.apache.spark.sql.functions.not(complete)).count();
      run.count("rows_without_identifiers", incomplete);
      Dataset<Row> members = all.where(complete);
      run.time("write_members", () -> cohorts.writeMembers(name, members));
    } finally {
      all.unpersist();
    }
    Dataset<Row> stored = cohorts.members(name);
    hash = Cohorts.hash(stored);
    long memberCount = stored.count();
    long patients = stored.select(Cohorts.EUPI).distinct().count();
    run.count("members", memberCount);
    run.count("patients", patients);
    run.count("studies", stored.select(Cohorts.STUDY_UID).distinct().count());
    cohorts.writeDefinition(
        new Cohorts.Definition(
            name,
            level,
            analysis.sql(),
            analysis.pinnedSql(),
            createdBy,
            Timestamp.from(Instant.now()),
            analysis.tables(),
            attributes,
            memberCount,
            patients,
            hash,
            run.runId(),
            null,
            null));
    ZoneCatalog catalog = new ZoneCatalog(spark, layout, ZoneCatalog.zonesOf(config));
    if (ZoneCatalog.zonesOf(config).contains(Zone.DEIDENTIFIED)) {
      catalog.register(Zone.DEIDENTIFIED, Cohorts.COHORTS);
      catalog.register(Zone.DEIDENTIFIED, Cohorts.MEMBERS);
    }
    return incomplete > 0 ? JobStatus.COMPLETED_WITH_REJECTIONS : JobStatus.SUCCEEDED;
  }

  private CohortLevel level(Dataset<Row> result) {
    String declared = options.get(OPTION_LEVEL, DEFAULT_LEVEL);
    if (!declared.isBlank()) {
      return CohortLevel.parse(declared);
    }
    CohortLevel finest = CohortLevel.finestAvailable(List.of(result.columns()));
    if (finest == null) {
      throw new LakehouseException(
          "The cohort query returns "
              + String.join(", ", result.columns())
              + ": it must return eupi and at least StudyInstanceUID (study level), plus"
              + " SeriesInstanceUID (series) and SOPInstanceUID (image)");
    }
    return finest;
  }

  @Override
  protected CohortResult result(JobResult generic) {
    return new CohortResult(generic, options.get(OPTION_NAME, ""), hash, null);
  }
}
