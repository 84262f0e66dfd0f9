package org.imaginglakehouse.core.config;

import static org.imaginglakehouse.core.Preconditions.checkArgument;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.imaginglakehouse.core.LakehouseException;

/**
 * The lakehouse configuration: flat dotted keys with values, built in layers so that later layers
 * win: built-in defaults ({@code lakehouse-defaults.yaml}), the config file, the environment, then
 * command-line flags.
 *
 * <p>Secrets never travel through this object: keys that look like secret values are refused (from
 * the file and from argv alike) and the config only names where a secret lives (an environment
 * variable or a file); see {@link Secrets}.
 */
public final class LakehouseConfig implements Serializable {
  private static final long serialVersionUID = 1L;

  public static final String HOME = "home";
  public static final String DEFAULT_HOME = "./lakehouse-data";
  public static final String ENV_HOME = "LAKEHOUSE_HOME";
  public static final String ENV_CONFIG = "LAKEHOUSE_CONFIG";
  public static final String DEFAULT_CONFIG_FILE = "lakehouse.yaml";

  /** Key fragments that mark a secret value, which must come from env or a file instead. */
  private static final Pattern SECRET_KEY =
      Pattern.compile(
          "(password|passwd|token|secret|(secret|access|api|hmac|pseudonym|encryption|private)"
              + "[.-]?key([.-]id)?)$",
          Pattern.CASE_INSENSITIVE);

  private final Map<String, String> values;
  private final Map<String, String> sources;

  private LakehouseConfig(Map<String, String> values, Map<String, String> sources) {
    this.values = Collections.unmodifiableMap(new TreeMap<>(values));
    this.sources = Collections.unmodifiableMap(new TreeMap<>(sources));
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Defaults only: handy in tests. */
  public static LakehouseConfig defaults() {
    return builder().build();
  }

  public Optional<String> get(String key) {
    String value = values.get(key);
    return value == null || value.isEmpty() ? Optional.empty() : Optional.of(value);
  }

  public String get(String key, String defaultValue) {
    return get(key).orElse(defaultValue);
  }

  public String require(String key) {
    return get(key)
        .orElseThrow(
            () ->
                new LakehouseException(
                    "Missing configuration '" + key + "': set it in lakehouse.yaml or --conf"));
  }

  public int getInt(String key, int defaultValue) {
    return get(key).map(v -> parse(key, v, Integer::parseInt)).orElse(defaultValue);
  }

  public long getLong(String key, long defaultValue) {
    return get(key).map(v -> parse(key, v, Long::parseLong)).orElse(defaultValue);
  }

  public boolean getBoolean(String key, boolean defaultValue) {
    return get(key)
        .map(
            v -> {
              String lower = v.trim().toLowerCase(Locale.ROOT);
              checkArgument(
                  lower.equals("true") || lower.equals("false"),
                  "Invalid configuration %s=%s: expected true or false",
                  key,
                  v);
              return Boolean.parseBoolean(lower);
            })
        .orElse(defaultValue);
  }

  private static <T> T parse(String key, String value, java.util.function.Function<String, T> f) {
    try {
      return f.apply(value.trim());
    } catch (NumberFormatException e) {
      throw new LakehouseException(
          "Invalid configuration " + key + "=" + value + ": expected a number");
    }
  }

  /** All entries under {@code prefix.} with the prefix removed, e.g. {@code spark.conf}. */
  public Map<String, String> withPrefix(String prefix) {
    String dotted = prefix.endsWith(".") ? prefix : prefix + ".";
    Map<String, String> result = new LinkedHashMap<>();
    values.forEach(
        (k, v) -> {
          if (k.startsWith(dotted) && !v.isEmpty()) {
            result.put(k.substring(dotted.length()), v);
          }
        });
    return result;
  }

  /** The lakehouse home: a local path or any Hadoop URI such as {@code s3a://bucket/prefix}. */
  public String home() {
    return get(HOME, DEFAULT_HOME);
  }

  /** Where each value came from (default, file path, env, flag): for {@code --verbose} output. */
  public String sourceOf(String key) {
    return sources.getOrDefault(key, "unset");
  }

  public Map<String, String> asMap() {
    return values;
  }

  /** A copy with more values set, as if from flags; used by jobs to record effective options. */
  public LakehouseConfig with(String key, String value) {
    Builder builder = new Builder();
    builder.values.putAll(values);
    builder.sources.putAll(sources);
    builder.set(key, value, "override");
    return builder.build();
  }

  /** Builds a configuration layer by layer. */
  public static final class Builder {
    private final Map<String, String> values = new LinkedHashMap<>();
    private final Map<String, String> sources = new LinkedHashMap<>();

    private Builder() {
      try (InputStream in = LakehouseConfig.class.getResourceAsStream("/lakehouse-defaults.yaml")) {
        checkArgument(in != null, "lakehouse-defaults.yaml missing from the classpath");
        flatten("", readYaml(in, "built-in defaults"), "default");
      } catch (IOException e) {
        throw new LakehouseException("Cannot read built-in defaults: " + e.getMessage(), e);
      }
    }

    /**
     * Adds the config file layer: {@code explicitFile} if given (it must exist), else {@code
     * $LAKEHOUSE_CONFIG}, else {@code ./lakehouse.yaml} when present.
     */
    public Builder configFile(Path explicitFile, Map<String, String> env) {
      Path file = explicitFile;
      boolean mustExist = explicitFile != null;
      if (file == null && env.get(ENV_CONFIG) != null && !env.get(ENV_CONFIG).isBlank()) {
        file = Path.of(env.get(ENV_CONFIG));
        mustExist = true;
      }
      if (file == null) {
        file = Path.of(DEFAULT_CONFIG_FILE);
      }
      if (!Files.isRegularFile(file)) {
        checkArgument(!mustExist, "Cannot read config file %s: no such file", file);
        return this;
      }
      try (InputStream in = Files.newInputStream(file)) {
        flatten("", readYaml(in, file.toString()), "file " + file);
      } catch (IOException e) {
        throw new LakehouseException("Cannot read config file " + file + ": " + e.getMessage(), e);
      }
      return this;
    }

    /** Adds the environment layer ({@code LAKEHOUSE_HOME}). */
    public Builder environment(Map<String, String> env) {
      String home = env.get(ENV_HOME);
      if (home != null && !home.isBlank()) {
        set(HOME, home, "env " + ENV_HOME);
      }
      return this;
    }

    /** Adds a command-line value ({@code --home}, {@code --conf key=value}). */
    public Builder flag(String key, String value) {
      return set(key, value, "flag");
    }

    /** Parses {@code key=value} as given to {@code --conf}. */
    public Builder flagAssignment(String assignment) {
      int eq = assignment.indexOf('=');
      checkArgument(
          eq > 0, "Invalid --conf '%s': expected key=value", assignment.replaceAll("=.*", "=…"));
      return flag(assignment.substring(0, eq).trim(), assignment.substring(eq + 1).trim());
    }

    private Builder set(String key, String value, String source) {
      checkArgument(
          !SECRET_KEY.matcher(key).find(),
          "Refusing configuration key '%s' from %s: secrets must come from the environment or"
              + " a file; set '%s-file' to a file holding it (see docs/configuration.md)",
          key,
          source,
          key);
      values.put(key, value == null ? "" : value);
      sources.put(key, source);
      return this;
    }

    private JsonNode readYaml(InputStream in, String what) throws IOException {
      JsonNode node = new ObjectMapper(new YAMLFactory()).readTree(in);
      checkArgument(
          node == null || node.isMissingNode() || node.isObject(),
          "Cannot read %s: expected a YAML mapping at the top level",
          what);
      return node;
    }

    private void flatten(String prefix, JsonNode node, String source) {
      if (node == null || node.isMissingNode()) {
        return;
      }
      if (node.isObject()) {
        Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
        while (fields.hasNext()) {
          Map.Entry<String, JsonNode> field = fields.next();
          flatten(
              prefix.isEmpty() ? field.getKey() : prefix + "." + field.getKey(),
              field.getValue(),
              source);
        }
      } else if (node.isArray()) {
        StringBuilder joined = new StringBuilder();
        for (JsonNode item : node) {
          if (joined.length() > 0) {
            joined.append(',');
          }
          joined.append(item.asText());
        }
        set(prefix, joined.toString(), source);
      } else {
        set(prefix, node.isNull() ? "" : node.asText(), source);
      }
    }

    public LakehouseConfig build() {
      return new LakehouseConfig(values, sources);
    }
  }
}
