package org.imaginglakehouse.extract;

import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.imaginglakehouse.core.LakehouseException;
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

  /**
   * The extraction's status row (null when verify never ran), after checking that the extraction
   * exists and was not released ({@code job} names the command refused, for the message).
   */
  ExtractionState.Extraction openExtraction(
      ExtractionState state, String extractionId, String root, String job) {
    ExtractionState.Extraction before = state.extraction(extractionId);
    if (before != null && ExtractionState.RELEASED.equals(before.status())) {
      throw new LakehouseException(
          "Extraction '"
              + extractionId
              + "' was released to "
              + before.releaseLocation()
              + ": a released extraction is final; extract again under a new --extraction id"
              + " and run `lakehouse "
              + job
              + "` on that");
    }
    if (!ProjectFiles.exists(new Path(root))) {
      throw new LakehouseException(
          "Project '"
              + projectName()
              + "' has no extraction '"
              + extractionId
              + "' ("
              + root
              + "): run `lakehouse extract` first");
    }
    return before;
  }

  /** The extraction this run works on and its root, set by {@link #resolveExtraction()}. */
  String extractionId;

  String root;

  /** Reads the extraction option and sets {@link #extractionId} and {@link #root}. */
  void resolveExtraction() {
    extractionId = extractionId();
    root = ExtractJob.extractionRoot(layout, projectName(), extractionId);
  }

  String extractionId() {
    return ZoneLayout.checkName("extraction", options.require(OPTION_EXTRACTION));
  }
}
