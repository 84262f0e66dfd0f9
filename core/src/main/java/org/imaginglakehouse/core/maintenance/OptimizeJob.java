package org.imaginglakehouse.core.maintenance;

import io.delta.tables.DeltaTable;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.spark.sql.SparkSession;
import org.imaginglakehouse.core.config.LakehouseConfig;
import org.imaginglakehouse.core.job.AbstractJob;
import org.imaginglakehouse.core.job.JobOptions;
import org.imaginglakehouse.core.job.JobResult;
import org.imaginglakehouse.core.job.JobStatus;
import org.imaginglakehouse.core.job.RunContext;
import org.imaginglakehouse.core.spark.ZoneCatalog;
import org.imaginglakehouse.core.zone.Zone;

/**
 * Compacts small files (Delta OPTIMIZE) of every table in one zone and, when asked, removes files
 * no longer referenced (VACUUM) after the retention period, which keeps time travel for cohorts
 * working within that period.
 */
public final class OptimizeJob extends AbstractJob<JobResult> {
  public static final String NAME = "optimize";

  public static final String OPTION_ZONE = "zone";
  public static final String DEFAULT_ZONE = "identifiable";
  public static final String OPTION_VACUUM = "vacuum";
  public static final boolean DEFAULT_VACUUM = false;

  /** Default seven days, Delta's own minimum without disabling its safety check. */
  public static final String OPTION_RETAIN_HOURS = "retain-hours";

  public static final long DEFAULT_RETAIN_HOURS = 168;

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
    List<String> done = new ArrayList<>();
    for (ZoneCatalog.TableRef table : tables) {
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
      if (vacuum) {
        run.time("vacuum", () -> DeltaTable.forPath(spark, table.location()).vacuum(retainHours));
      }
      done.add(table.qualifiedName());
    }
    run.count("tables", done.size());
    return JobStatus.SUCCEEDED;
  }

  @Override
  protected JobResult result(JobResult generic) {
    return generic;
  }
}
