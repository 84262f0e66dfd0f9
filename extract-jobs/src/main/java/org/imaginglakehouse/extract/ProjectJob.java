package org.imaginglakehouse.extract;

import org.apache.spark.sql.SparkSession;
import org.imaginglakehouse.core.config.LakehouseConfig;
import org.imaginglakehouse.core.job.AbstractJob;
import org.imaginglakehouse.core.job.JobOptions;
import org.imaginglakehouse.core.job.JobResult;
import org.imaginglakehouse.core.job.JobRunLog;
import org.imaginglakehouse.core.zone.Zone;
import org.imaginglakehouse.core.zone.ZoneLayout;

/**
 * A job on one project's extractions (verify, release): option {@code project}, runs recorded in
 * {@code project_<P>.job_runs}.
 */
abstract class ProjectJob<R extends JobResult> extends AbstractJob<R> {
  static final String OPTION_PROJECT = "project";
  static final String OPTION_EXTRACTION = "extraction";

  ProjectJob(SparkSession spark, LakehouseConfig config, JobOptions options) {
    super(spark, config, options);
  }

  @Override
  protected Zone runLogZone() {
    return Zone.PROJECTS;
  }

  @Override
  protected String runLogLocation() {
    return layout.projectTable(projectName(), JobRunLog.TABLE);
  }

  String projectName() {
    return ZoneLayout.checkName("project", options.require(OPTION_PROJECT));
  }

  String extractionId() {
    return ZoneLayout.checkName("extraction", options.require(OPTION_EXTRACTION));
  }
}
