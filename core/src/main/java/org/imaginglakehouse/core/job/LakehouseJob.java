package org.imaginglakehouse.core.job;

/**
 * A lakehouse job: an object with named options whose {@link #execute()} does the work and returns
 * what it did. The CLI, Airflow and tests all call the same object.
 */
public interface LakehouseJob<R extends JobResult> {
  /** Short name: {@code ingest}, {@code promote}; used in {@code job_runs} and config keys. */
  String name();

  /** Runs the job. Throws {@link org.imaginglakehouse.core.LakehouseException} on failure. */
  R execute();
}
