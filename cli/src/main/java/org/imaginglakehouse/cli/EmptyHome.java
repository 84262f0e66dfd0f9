package org.imaginglakehouse.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.stream.Collectors;
import org.imaginglakehouse.core.config.LakehouseConfig;
import org.imaginglakehouse.core.zone.Zone;

/**
 * What {@code lakehouse tables} and {@code lakehouse sql} say on stderr when the zones they read
 * have no tables: which home they looked at, where that setting came from, and, after {@code
 * bin/demo}, the {@code --home} that has the demo's tables.
 */
final class EmptyHome {
  /** Where {@code bin/demo} leaves its lakehouse, relative to the directory it was run from. */
  static final Path DEMO_HOME = Path.of("demo", "lakehouse");

  private EmptyHome() {}

  /**
   * The note for {@code command} (e.g. {@code tables}), which found no tables in {@code zones};
   * {@code workingDir} is where a demo lakehouse is looked for.
   */
  static String note(
      LakehouseConfig config, Collection<Zone> zones, String command, Path workingDir) {
    String home = config.home();
    StringBuilder note = new StringBuilder();
    note.append("No tables in ")
        .append(zones.stream().map(Zone::id).sorted().collect(Collectors.joining(", ")))
        .append(zones.size() == 1 ? " zone" : " zones")
        .append(" of lakehouse home ")
        .append(home)
        .append(" (")
        .append(origin(config.sourceOf(LakehouseConfig.HOME)))
        .append("): it is empty.");
    Path demo = workingDir.resolve(DEMO_HOME);
    if (Files.isDirectory(demo) && !sameLocalPath(home, demo, workingDir)) {
      note.append(System.lineSeparator())
          .append("bin/demo's lakehouse is in ")
          .append(DEMO_HOME)
          .append(": bin/lakehouse --home ")
          .append(DEMO_HOME)
          .append(' ')
          .append(command);
    } else {
      note.append(" Jobs fill it (lakehouse ingest --help), or point --home at a lakehouse.");
    }
    return note.toString();
  }

  /** The layer a home came from, in the words a user types. */
  static String origin(String source) {
    if (source.equals("flag")) {
      return "from --home";
    }
    if (source.equals("env " + LakehouseConfig.ENV_HOME)) {
      return "from $" + LakehouseConfig.ENV_HOME;
    }
    if (source.startsWith("file ")) {
      return "from home: in config " + source.substring("file ".length());
    }
    return "the default; set another with --home, $"
        + LakehouseConfig.ENV_HOME
        + " or home: in config";
  }

  private static boolean sameLocalPath(String home, Path demo, Path workingDir) {
    if (home.contains("://")) {
      return home.startsWith("file://")
          && Path.of(java.net.URI.create(home))
              .normalize()
              .equals(demo.toAbsolutePath().normalize());
    }
    return workingDir
        .resolve(home)
        .toAbsolutePath()
        .normalize()
        .equals(demo.toAbsolutePath().normalize());
  }
}
