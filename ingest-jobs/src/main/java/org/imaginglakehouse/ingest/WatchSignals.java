package org.imaginglakehouse.ingest;

import java.io.PrintStream;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * SIGTERM and SIGINT stop a watcher after the batch in progress, instead of starting the JVM's
 * shutdown at once: Spark's shutdown hook would stop the session under the running batch. A second
 * signal exits at once (exit code 128 + signal number), which is as safe as a kill -9: the batch in
 * progress is redone by the next start.
 */
final class WatchSignals {
  private static final Logger LOG = LoggerFactory.getLogger(WatchSignals.class);

  private WatchSignals() {}

  static void stopOn(IngestWatcher watcher, PrintStream out) {
    AtomicBoolean stopping = new AtomicBoolean();
    for (String name : new String[] {"TERM", "INT"}) {
      Signal.handle(
          new Signal(name),
          signal -> {
            if (stopping.compareAndSet(false, true)) {
              LOG.info("watch: SIG{} received, stopping after the batch in progress", name);
              out.println("watch: SIG" + name + " received, stopping after the batch in progress");
              out.flush();
              watcher.stop();
            } else {
              out.println("watch: second signal, exiting now");
              out.flush();
              System.exit(128 + signal.getNumber());
            }
          });
    }
  }
}
