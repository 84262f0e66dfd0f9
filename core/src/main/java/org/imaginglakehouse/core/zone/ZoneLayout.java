package org.imaginglakehouse.core.zone;

import static org.imaginglakehouse.core.Preconditions.checkArgument;

import java.io.Serializable;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import java.util.regex.Pattern;
import org.imaginglakehouse.core.config.LakehouseConfig;

/**
 * Where each zone and table lives. Roots are Hadoop path strings, so local paths, {@code s3a://}
 * and {@code hdfs://} work alike; a table is a Delta table directory {@code <zone root>/<table>}.
 */
public final class ZoneLayout implements Serializable {
  private static final long serialVersionUID = 1L;
  private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]{0,62}");

  private final String home;
  private final Map<Zone, String> roots;

  private ZoneLayout(String home, Map<Zone, String> roots) {
    this.home = home;
    this.roots = roots;
  }

  public static ZoneLayout from(LakehouseConfig config) {
    String home = normalise(config.home());
    Map<Zone, String> roots = new EnumMap<>(Zone.class);
    for (Zone zone : Zone.values()) {
      String root = config.get("zones." + zone.id()).map(ZoneLayout::normalise).orElse(null);
      roots.put(zone, root != null ? root : join(home, zone.id()));
    }
    return new ZoneLayout(home, roots);
  }

  /** Local relative paths become absolute; URIs are kept; trailing slashes are dropped. */
  static String normalise(String location) {
    String trimmed = location.trim();
    checkArgument(!trimmed.isEmpty(), "Lakehouse location must not be empty");
    if (trimmed.matches("^[a-zA-Z][a-zA-Z0-9+.-]*://.*")) {
      return trimmed.replaceAll("/+$", "");
    }
    if (trimmed.startsWith("file:")) {
      trimmed = trimmed.substring("file:".length());
    }
    return Path.of(trimmed).toAbsolutePath().normalize().toString();
  }

  private static String join(String root, String child) {
    return root.endsWith("/") ? root + child : root + "/" + child;
  }

  public String home() {
    return home;
  }

  public String root(Zone zone) {
    return roots.get(zone);
  }

  /** Location of {@code zone.table}; for projects use {@link #projectTable}. */
  public String table(Zone zone, String table) {
    checkArgument(zone != Zone.PROJECTS, "Project tables need a project name: use projectTable");
    return join(root(zone), checkName("table", table));
  }

  public String projectRoot(String project) {
    return join(root(Zone.PROJECTS), checkName("project", project));
  }

  public String projectTable(String project, String table) {
    return join(projectRoot(project), checkName("table", table));
  }

  /** SQL database of a project: {@code project_<name>}. */
  public static String projectDatabase(String project) {
    return "project_" + checkName("project", project);
  }

  /** Table and project names: lower-case SQL identifiers, so paths and SQL names agree. */
  public static String checkName(String what, String name) {
    checkArgument(
        name != null && NAME.matcher(name).matches(),
        "Invalid %s name '%s': use lower-case letters, digits and _ (starting with a letter)",
        what,
        name);
    return name;
  }
}
