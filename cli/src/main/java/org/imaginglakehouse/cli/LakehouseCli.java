package org.imaginglakehouse.cli;

import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.apache.spark.sql.AnalysisException;
import org.imaginglakehouse.cli.serve.ServeCommand;
import org.imaginglakehouse.core.LakehouseException;
import org.imaginglakehouse.core.cli.LakehouseCommand;
import org.imaginglakehouse.core.config.LakehouseConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * The {@code lakehouse} command. Built-in subcommands are listed here; job modules add theirs
 * through {@code META-INF/services/org.imaginglakehouse.core.cli.LakehouseCommand}.
 */
@Command(
    name = "lakehouse",
    mixinStandardHelpOptions = true,
    versionProvider = VersionCommand.Provider.class,
    description = "Imaging lakehouse: PACS copy to Delta Lake tables for a Safe Haven.",
    footerHeading = "%nExamples:%n",
    footer = {
      "  lakehouse --home /data/lakehouse ingest --source /pacs",
      "  lakehouse --home /data/lakehouse promote --config lakehouse.yaml",
      "  lakehouse --home /data/lakehouse sql \"SHOW TABLES IN deidentified\"",
      "  lakehouse ingest --help",
      "",
      "Exit codes: 0 success, 1 failure, 2 usage error, 3 finished with rejected inputs.",
      "Secrets (S3 keys, pseudonymisation keys) come from the environment or files, never flags."
    },
    subcommands = {CommandLine.HelpCommand.class})
public final class LakehouseCli implements Runnable {
  public static final int EXIT_FAILURE = 1;
  public static final int EXIT_USAGE = 2;

  @Option(
      names = "--home",
      scope = ScopeType.INHERIT,
      paramLabel = "PATH",
      description =
          "Lakehouse home (local path or s3a://bucket/prefix); default ./lakehouse-data,"
              + " or $LAKEHOUSE_HOME.")
  String home;

  @Option(
      names = "--config",
      scope = ScopeType.INHERIT,
      paramLabel = "FILE",
      description = "Config file (default $LAKEHOUSE_CONFIG, else ./lakehouse.yaml if present).")
  Path configFile;

  @Option(
      names = "--conf",
      scope = ScopeType.INHERIT,
      paramLabel = "KEY=VALUE",
      description = "Override a config key, e.g. --conf spark.conf.spark.sql.shuffle.partitions=4.")
  List<String> overrides = new ArrayList<>();

  @Option(
      names = "--master",
      scope = ScopeType.INHERIT,
      paramLabel = "URL",
      description = "Spark master when not run by spark-submit (default local[2]).")
  String master;

  @Option(
      names = {"-v", "--verbose"},
      scope = ScopeType.INHERIT,
      description =
          "Spark's own logs and progress bars, stack traces on errors and where each setting"
              + " came from.")
  boolean verbose;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "Missing subcommand");
  }

  LakehouseConfig buildConfig(Map<String, String> env) {
    LakehouseConfig.Builder builder = LakehouseConfig.builder().configFile(configFile, env);
    builder.environment(env);
    if (home != null) {
      builder.flag(LakehouseConfig.HOME, home);
    }
    if (master != null) {
      builder.flag("spark.master", master);
    }
    overrides.forEach(builder::flagAssignment);
    LakehouseConfig config = builder.build();
    if (verbose && config.sourceOf(CONSOLE_PROGRESS).equals("default")) {
      config = config.with(CONSOLE_PROGRESS, "true");
    }
    return config;
  }

  /** Spark's console progress bar: off by default, on with {@code --verbose} unless configured. */
  static final String CONSOLE_PROGRESS = "spark.console-progress";

  public static void main(String[] args) {
    // UTF-8 whatever the locale: under LC_ALL=C the JVM's own streams would print names such as
    // Lefèvre as Lef?vre. Logging keeps the JVM's streams; only our output goes through these.
    PrintStream out =
        new PrintStream(
            new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 1 << 16),
            false,
            StandardCharsets.UTF_8);
    PrintStream err =
        new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8);
    int code = run(args, out, err, System.getenv(), true);
    out.flush();
    err.flush();
    System.out.flush();
    System.err.flush();
    // Spark leaves non-daemon threads behind; exit explicitly with the code Airflow reads.
    System.exit(code);
  }

  /** Runs the CLI in this JVM and returns the exit code; tests call this directly. */
  public static int run(String[] args, PrintStream out, PrintStream err, Map<String, String> env) {
    return run(args, out, err, env, false);
  }

  /**
   * As {@link #run(String[], PrintStream, PrintStream, Map)}; {@code ownsLogging}: the process is
   * ours (main), so {@code --verbose} may switch the JVM's logging to Spark's INFO logs.
   */
  static int run(
      String[] args,
      PrintStream out,
      PrintStream err,
      Map<String, String> env,
      boolean ownsLogging) {
    LakehouseCli root = new LakehouseCli();
    DefaultCliContext[] context = new DefaultCliContext[1];
    CommandLine commandLine = commandLine(root);
    commandLine.setOut(new PrintWriter(out, true, StandardCharsets.UTF_8));
    commandLine.setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
    commandLine.setCaseInsensitiveEnumValuesAllowed(true);
    commandLine.setExecutionStrategy(
        parseResult -> {
          Integer helpExit = CommandLine.executeHelpRequest(parseResult);
          if (helpExit != null) {
            return helpExit;
          }
          CommandLine.ParseResult leaf = parseResult;
          while (leaf.hasSubcommand()) {
            leaf = leaf.subcommand();
          }
          Object command = leaf.commandSpec().userObject();
          if (ownsLogging && root.verbose) {
            Logging.verbose();
          }
          if (command instanceof LakehouseCommand lakehouseCommand) {
            context[0] = new DefaultCliContext(root.buildConfig(env), out, err, root.verbose);
            lakehouseCommand.attach(context[0]);
          }
          return new CommandLine.RunLast().execute(parseResult);
        });
    commandLine.setExecutionExceptionHandler(
        (e, cmd, parseResult) -> {
          reportError(e, root.verbose, err);
          return EXIT_FAILURE;
        });
    commandLine.setParameterExceptionHandler(
        (e, args2) -> {
          err.println("Error: " + e.getMessage());
          err.println("Run 'lakehouse " + commandPath(e.getCommandLine()) + "--help' for usage.");
          return EXIT_USAGE;
        });
    try {
      return commandLine.execute(args);
    } catch (RuntimeException e) {
      reportError(e, root.verbose, err);
      return EXIT_FAILURE;
    }
  }

  /** The command tree: built-in subcommands, those of the job modules, help on every one. */
  static CommandLine commandLine(LakehouseCli root) {
    CommandLine commandLine = new CommandLine(root);
    commandLine.addSubcommand(new VersionCommand());
    commandLine.addSubcommand(new SqlCommand());
    commandLine.addSubcommand(new TablesCommand());
    commandLine.addSubcommand(new OptimizeCommand());
    commandLine.addSubcommand(new BenchMaintenanceCommand());
    commandLine.addSubcommand(new ServeCommand());
    for (LakehouseCommand command : ServiceLoader.load(LakehouseCommand.class)) {
      commandLine.addSubcommand(command);
    }
    addHelpOptions(commandLine);
    return commandLine;
  }

  /**
   * {@code -h/--help} and {@code -V/--version} on every command and subcommand, including those job
   * modules register: a module cannot forget them, and {@code --help} wins over missing required
   * options. Picocli's own {@code help} command gets the examples footer here.
   */
  private static void addHelpOptions(CommandLine commandLine) {
    CommandLine.Model.CommandSpec spec = commandLine.getCommandSpec();
    if (spec.findOption("--help") == null) {
      spec.mixinStandardHelpOptions(true);
    }
    if (spec.versionProvider() == null) {
      spec.versionProvider(new VersionCommand.Provider());
    }
    if (spec.userObject() instanceof CommandLine.HelpCommand) {
      spec.usageMessage()
          .footerHeading("%nExamples:%n")
          .footer("  lakehouse help", "  lakehouse help ingest", "  lakehouse help cohort create");
    }
    for (CommandLine sub : commandLine.getSubcommands().values()) {
      addHelpOptions(sub);
    }
  }

  private static String commandPath(CommandLine commandLine) {
    String path = commandLine.getCommandSpec().qualifiedName(" ");
    path = path.replaceFirst("^lakehouse ?", "");
    return path.isEmpty() ? "" : path + " ";
  }

  static void reportError(Throwable e, boolean verbose, PrintStream err) {
    err.println("Error: " + shortMessage(e));
    if (verbose) {
      e.printStackTrace(err);
    } else if (!(e instanceof LakehouseException) && !(e instanceof AnalysisException)) {
      err.println("(run with --verbose for the stack trace)");
    }
    err.flush();
  }

  /** First line of the most useful message: Spark's errors carry long query contexts. */
  static String shortMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null
        && !(t instanceof LakehouseException)
        && !(t instanceof AnalysisException)
        && (t.getMessage() == null || t.getMessage().isBlank())) {
      t = t.getCause();
    }
    String message = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    String first = message.strip().lines().findFirst().orElse(message);
    if (!(t instanceof LakehouseException) && !(t instanceof AnalysisException)) {
      first = t.getClass().getSimpleName() + ": " + first;
    }
    return org.imaginglakehouse.core.config.Secrets.redact(first);
  }
}
