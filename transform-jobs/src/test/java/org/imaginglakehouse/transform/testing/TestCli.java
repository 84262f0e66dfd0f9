package org.imaginglakehouse.transform.testing;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.imaginglakehouse.core.LakehouseException;
import org.imaginglakehouse.core.cli.CliContext;
import org.imaginglakehouse.core.cli.LakehouseCommand;
import org.imaginglakehouse.core.config.LakehouseConfig;
import org.imaginglakehouse.core.spark.ZoneCatalog;
import org.imaginglakehouse.core.zone.ZoneLayout;
import picocli.CommandLine;

/**
 * Runs one of our picocli subcommands the way the {@code lakehouse} CLI does (parse, attach a
 * context to the leaf command, call it), on the test's shared session, capturing its output.
 */
public final class TestCli implements CliContext {
  private final LakehouseConfig config;
  private final SparkSession spark;
  private final ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
  private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
  private final PrintStream out = new PrintStream(outBytes, true, StandardCharsets.UTF_8);
  private final PrintStream err = new PrintStream(errBytes, true, StandardCharsets.UTF_8);

  public TestCli(LakehouseConfig config, SparkSession spark) {
    this.config = config;
    this.spark = spark;
  }

  /** Exit code as the CLI would return it (LakehouseException → 1, usage error → 2). */
  public int run(LakehouseCommand root, String... args) {
    CommandLine commandLine = new CommandLine(root);
    commandLine.setCaseInsensitiveEnumValuesAllowed(true);
    CommandLine.ParseResult parsed;
    try {
      parsed = commandLine.parseArgs(args);
    } catch (CommandLine.ParameterException e) {
      err.println("Error: " + e.getMessage());
      return 2;
    }
    CommandLine.ParseResult leaf = parsed;
    while (leaf.hasSubcommand()) {
      leaf = leaf.subcommand();
    }
    LakehouseCommand command = (LakehouseCommand) leaf.commandSpec().userObject();
    command.attach(this);
    try {
      return command.call();
    } catch (LakehouseException e) {
      err.println("Error: " + e.getMessage());
      return 1;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  public String stdout() {
    return outBytes.toString(StandardCharsets.UTF_8);
  }

  public String stderr() {
    return errBytes.toString(StandardCharsets.UTF_8);
  }

  @Override
  public LakehouseConfig config() {
    return config;
  }

  @Override
  public ZoneLayout layout() {
    return ZoneLayout.from(config);
  }

  @Override
  public SparkSession spark() {
    return spark;
  }

  @Override
  public List<ZoneCatalog.TableRef> tables() {
    return refreshTables();
  }

  @Override
  public List<ZoneCatalog.TableRef> refreshTables() {
    return new ZoneCatalog(spark, layout(), ZoneCatalog.zonesOf(config)).registerAll();
  }

  @Override
  public PrintStream out() {
    return out;
  }

  @Override
  public PrintStream err() {
    return err;
  }

  @Override
  public boolean verbose() {
    return false;
  }
}
