package org.imaginglakehouse.core.job;

import java.util.ConcurrentModificationException;
import java.util.function.Supplier;
import org.imaginglakehouse.core.LakehouseException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Retries a Delta commit that lost a race with another run's commit to the same table.
 *
 * <p>Delta commits optimistically: a transaction reads a version of the table and, when it commits,
 * checks the commits made since then. When one of them conflicts (it removed a file this one read,
 * or added rows this one's read should have seen, or changed the table's metadata or protocol, as
 * two runs creating the tables of a fresh home do), the commit fails with a {@link
 * ConcurrentModificationException} (Delta's conflict exceptions all extend it) and nothing of it is
 * in the table. A step that reads the table afresh and decides again on each attempt (a MERGE, a
 * DELETE, a create-if-not-exists, a settle step that re-reads its snapshot) is safe to run again:
 * it is retried up to {@link #attempts} times, waiting a growing, jittered time in between. When
 * every attempt conflicts, or the step is not safe to retry, the run fails with a message that
 * names the table and tells the user to re-run; never with a value read from the table.
 */
public final class ConcurrentCommits {
  private static final Logger LOG = LoggerFactory.getLogger(ConcurrentCommits.class);

  /** Attempts of a retried step by default. */
  public static final int DEFAULT_ATTEMPTS = 6;

  /** Wait before the second attempt by default; it doubles on each further one. */
  public static final long DEFAULT_FIRST_WAIT_MILLIS = 500;

  /** The longest wait between two attempts. */
  static final long MAX_WAIT_MILLIS = 8_000;

  /** Waits the given milliseconds (a test can count instead of sleeping). */
  @FunctionalInterface
  public interface Sleeper {
    void sleep(long millis) throws InterruptedException;
  }

  private final String job;
  private final int attempts;
  private final long firstWaitMillis;
  private final Sleeper sleeper;
  private final java.util.function.LongUnaryOperator jitter;

  /**
   * Retries for the steps of {@code job} (named in the message), with {@code attempts} attempts and
   * waits of {@code firstWaitMillis} doubling each time, each plus a random share of up to half of
   * it so that two runs that conflicted do not retry in lockstep.
   */
  public ConcurrentCommits(String job, int attempts, long firstWaitMillis) {
    this(
        job,
        attempts,
        firstWaitMillis,
        Thread::sleep,
        wait -> wait + java.util.concurrent.ThreadLocalRandom.current().nextLong(wait / 2 + 1));
  }

  /** The same with a given sleeper and jitter (tests). */
  ConcurrentCommits(
      String job,
      int attempts,
      long firstWaitMillis,
      Sleeper sleeper,
      java.util.function.LongUnaryOperator jitter) {
    if (attempts < 1 || firstWaitMillis < 0) {
      throw new IllegalArgumentException("attempts must be positive and the wait not negative");
    }
    this.job = job;
    this.attempts = attempts;
    this.firstWaitMillis = firstWaitMillis;
    this.sleeper = sleeper;
    this.jitter = jitter;
  }

  /** The defaults for {@code job}. */
  public static ConcurrentCommits of(String job) {
    return new ConcurrentCommits(job, DEFAULT_ATTEMPTS, DEFAULT_FIRST_WAIT_MILLIS);
  }

  /**
   * Runs {@code step}, a commit to {@code table} (e.g. {@code identifiable.instances}) that reads
   * the table afresh on each call, again after each conflict, up to the attempts; returns its
   * result. Any other failure passes through at once.
   */
  public <T> T retry(String table, Supplier<T> step) {
    return retry(table, step, false);
  }

  /**
   * Runs {@code step}, which creates {@code table} if it does not exist, as {@link #run}, and also
   * again when the table's directory is there without a table yet: another run is creating it
   * (Delta's {@code DELTA_CREATE_TABLE_WITH_NON_EMPTY_LOCATION} before its first commit lands).
   */
  public void creating(String table, Runnable step) {
    retry(
        table,
        () -> {
          step.run();
          return null;
        },
        true);
  }

  private <T> T retry(String table, Supplier<T> step, boolean creating) {
    // Another run's creation of a table can take a while on a busy machine: more attempts.
    int limit = creating ? attempts * 2 : attempts;
    long wait = firstWaitMillis;
    for (int attempt = 1; ; attempt++) {
      try {
        return step.get();
      } catch (Exception e) { // Scala code throws Spark's AnalysisException, a checked one
        ConcurrentModificationException conflict =
            creating && beingCreated(e)
                ? new ConcurrentModificationException(CREATING)
                : conflict(e);
        if (conflict == null) {
          throw e;
        }
        if (attempt >= limit) {
          throw failed(table, attempt, conflict);
        }
        LOG.warn(
            "{}: a commit to {} conflicted with another run's commit ({}); attempt {} of {} in"
                + " {} ms",
            job,
            table,
            conflict.getClass().getSimpleName(),
            attempt + 1,
            limit,
            wait);
        pause(jitter.applyAsLong(wait));
        wait = Math.min(wait * 2, MAX_WAIT_MILLIS);
      }
    }
  }

  /** As {@link #retry(String, Supplier)} for a step without a result. */
  public void run(String table, Runnable step) {
    retry(
        table,
        () -> {
          step.run();
          return null;
        });
  }

  /**
   * Runs {@code step}, a commit to {@code table} that must not run twice (its input was computed
   * for one snapshot and cannot be recomputed here): a conflict fails the run at once with the
   * message that tells the user to re-run.
   */
  public void once(String table, Runnable step) {
    try {
      step.run();
    } catch (Exception e) { // Scala code throws Spark's AnalysisException, a checked one
      ConcurrentModificationException conflict = conflict(e);
      if (conflict == null) {
        throw e;
      }
      throw failed(table, 1, conflict);
    }
  }

  /** Delta's error condition for a table directory that holds files but no table (yet). */
  static final String CREATING = "DELTA_CREATE_TABLE_WITH_NON_EMPTY_LOCATION";

  /** Whether {@code e} says that a table's directory exists without a table yet. */
  static boolean beingCreated(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof LakehouseException) {
        return false;
      }
      if (t.getMessage() != null && t.getMessage().contains("[" + CREATING + "]")) {
        return true;
      }
    }
    return false;
  }

  /**
   * The concurrent-commit conflict in {@code e}'s cause chain, or null (also for a step that has
   * already given up: its {@link LakehouseException} is final).
   */
  public static ConcurrentModificationException conflict(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof LakehouseException) {
        return null;
      }
      if (t instanceof ConcurrentModificationException c) {
        return c;
      }
    }
    return null;
  }

  private LakehouseException failed(
      String table, int tried, ConcurrentModificationException conflict) {
    // Delta's own message is left out: it may quote the conflicting commit's predicate.
    return new LakehouseException(
        job
            + ": the commit to "
            + table
            + " conflicted with commits of another run working on the same table ("
            + conflict.getClass().getSimpleName()
            + (tried > 1 ? ", " + tried + " attempts" : "")
            + "); this step committed nothing. Re-run `lakehouse "
            + job
            + "` once the other run has finished: it continues where this one stopped.",
        conflict);
  }

  private void pause(long millis) {
    try {
      sleeper.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new LakehouseException(job + ": interrupted while waiting to retry a commit", e);
    }
  }
}
