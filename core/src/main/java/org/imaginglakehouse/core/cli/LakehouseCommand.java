package org.imaginglakehouse.core.cli;

import java.util.concurrent.Callable;
import org.imaginglakehouse.core.job.JobResult;

/**
 * Base of every {@code lakehouse} subcommand. Implementations are picocli {@code @Command} classes
 * listed in {@code META-INF/services/org.imaginglakehouse.core.cli.LakehouseCommand}, so a job
 * module adds its subcommand without touching the CLI module.
 *
 * <p>Return an exit code: 0 success, 3 finished with new rejections (see {@link
 * org.imaginglakehouse.core.job.Rejections#status()}), 1 failure. Throw {@link
 * org.imaginglakehouse.core.LakehouseException} for errors the user can fix; the CLI prints its
 * message (stack trace only with {@code --verbose}) and exits 1.
 */
public abstract class LakehouseCommand implements Callable<Integer> {
  private CliContext context;

  /** Called by the CLI before {@link #call()}. */
  public final void attach(CliContext context) {
    this.context = context;
  }

  protected final CliContext context() {
    if (context == null) {
      throw new IllegalStateException(getClass().getName() + " used without a CLI context");
    }
    return context;
  }

  @Override
  public final Integer call() throws Exception {
    return run();
  }

  protected abstract int run() throws Exception;

  /** Prints a job's summary and maps its status to the exit code. */
  protected final int report(JobResult result) {
    context().out().print(result.summary());
    context().out().flush();
    return result.status().exitCode();
  }
}
