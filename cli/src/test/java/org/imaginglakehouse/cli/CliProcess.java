package org.imaginglakehouse.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the CLI as its own process, as Airflow and shells do: JVM options of bin/jvm-options. */
final class CliProcess {
  /** Exit code and the raw bytes of stdout and stderr together. */
  record Result(int exitCode, byte[] bytes) {}

  private CliProcess() {}

  /** Runs {@code lakehouse args} with {@code env} ("KEY=VALUE") added to the environment. */
  static Result run(List<String> env, String... args) throws Exception {
    return run(null, env, args);
  }

  /**
   * As {@link #run(List, String...)}, in {@code workingDir} (null: the test's) and without a {@code
   * LAKEHOUSE_HOME} or {@code LAKEHOUSE_CONFIG} of the shell that runs the tests.
   */
  static Result run(Path workingDir, List<String> env, String... args) throws Exception {
    Process process = start(workingDir, env, args);
    byte[] bytes = process.getInputStream().readAllBytes();
    assertThat(process.waitFor(5, TimeUnit.MINUTES)).isTrue();
    return new Result(process.exitValue(), bytes);
  }

  /** Starts {@code lakehouse args}; stdout and stderr together on its input stream. */
  static Process start(List<String> env, String... args) throws Exception {
    return start(null, env, args);
  }

  private static Process start(Path workingDir, List<String> env, String... args) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions());
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(LakehouseCli.class.getName());
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
    builder.environment().remove("LAKEHOUSE_HOME");
    builder.environment().remove("LAKEHOUSE_CONFIG");
    if (workingDir != null) {
      builder.directory(workingDir.toFile());
    }
    for (String kv : env) {
      String[] parts = kv.split("=", 2);
      builder.environment().put(parts[0], parts[1]);
    }
    return builder.start();
  }

  /** The JVM options of bin/jvm-options (module opens Spark needs on Java 17). */
  static List<String> jvmOptions() throws java.io.IOException {
    List<String> options = new ArrayList<>();
    for (String opt : Files.readAllLines(repoRoot().resolve("bin/jvm-options"))) {
      if (!opt.isBlank() && !opt.startsWith("#")) {
        options.add(opt);
      }
    }
    return options;
  }

  static Path repoRoot() {
    String root = System.getProperty("lakehouse.repo.root");
    return root == null ? Path.of("..").toAbsolutePath().normalize() : Path.of(root);
  }
}
