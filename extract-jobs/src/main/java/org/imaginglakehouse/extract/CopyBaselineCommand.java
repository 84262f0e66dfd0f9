package org.imaginglakehouse.extract;

import java.nio.file.Path;
import java.util.Locale;
import org.imaginglakehouse.core.cli.LakehouseCommand;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code lakehouse bench-copy} (hidden): the Spark copy baseline of {@code bin/bench-extract}, see
 * {@link CopyBaseline}. Not a lakehouse feature; it exists so the benchmark can time a copy that
 * starts like a lakehouse command.
 */
@Command(
    name = "bench-copy",
    hidden = true,
    footerHeading = "%nExamples:%n",
    footer = {"  lakehouse bench-copy --from /tmp/bench/source --to /tmp/bench/copy-1"},
    description =
        "Benchmark baseline (bin/bench-extract): copy every file under --from to --to with a"
            + " Spark job that does nothing else.")
public final class CopyBaselineCommand extends LakehouseCommand {
  @Option(names = "--from", required = true, paramLabel = "DIR", description = "Source directory.")
  Path from;

  @Option(names = "--to", required = true, paramLabel = "DIR", description = "New directory.")
  Path to;

  @Override
  protected int run() {
    long start = System.nanoTime();
    CopyBaseline.Copied copied = CopyBaseline.copy(context().spark(), from, to);
    context()
        .out()
        .printf(
            Locale.ROOT,
            "bench-copy: %d files, %d bytes in %.1f s%n",
            copied.files(),
            copied.bytes(),
            (System.nanoTime() - start) / 1e9);
    context().out().flush();
    return 0;
  }
}
