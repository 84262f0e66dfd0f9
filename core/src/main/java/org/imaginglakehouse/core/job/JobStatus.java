package org.imaginglakehouse.core.job;

/** Outcome of a job run, as written to {@code job_runs} and mapped to the CLI's exit code. */
public enum JobStatus {
  RUNNING(-1),
  /** Everything processed. Exit code 0. */
  SUCCEEDED(0),
  /**
   * The run finished and recorded new rejections: inputs quarantined or rejected (each with a
   * reason) that no earlier run had recorded. Exit code 3. See {@link Rejections#status()}.
   */
  COMPLETED_WITH_REJECTIONS(3),
  /** The run stopped; tables are as before the run or as after an earlier committed batch. */
  FAILED(1);

  private final int exitCode;

  JobStatus(int exitCode) {
    this.exitCode = exitCode;
  }

  public int exitCode() {
    return exitCode;
  }
}
