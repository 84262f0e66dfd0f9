package org.imaginglakehouse.extract.deid;

import static org.imaginglakehouse.core.Preconditions.checkArgument;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.imaginglakehouse.core.LakehouseException;
import org.imaginglakehouse.core.config.LakehouseConfig;
import org.imaginglakehouse.core.config.Secret;
import org.imaginglakehouse.core.config.Secrets;

/**
 * Finds a project's pseudonymisation key, with the same rules as the EUPI key of {@code
 * pseudonym.hmac-key-file} (see docs/configuration.md "Secrets"): from the environment or from a
 * file, never from a flag or the config itself, and never echoed.
 *
 * <p>In order: env {@code LAKEHOUSE_PROJECT_<NAME>_KEY} (the key text), env {@code
 * LAKEHOUSE_PROJECT_<NAME>_KEY_FILE} (a file holding it), config {@code projects.<name>.key-file}.
 * {@code <NAME>} is the project name upper-cased with {@code -} as {@code _}. The key is the UTF-8
 * text of the value (trimmed), at least {@link #MIN_KEY_BYTES} bytes: {@code openssl rand -hex 32}
 * gives 64.
 */
public final class ProjectKeys {
  /** Minimum key length in bytes, as for the EUPI key. */
  public static final int MIN_KEY_BYTES = 32;

  /**
   * Project names: lower-case letters, digits, {@code -} and {@code _}; they end up in file names.
   */
  public static final Pattern PROJECT_NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,47}");

  private ProjectKeys() {}

  /** Config key naming the key file of {@code project}. */
  public static String keyFileConfigKey(String project) {
    return "projects." + checkProjectName(project) + ".key-file";
  }

  /** Environment variable holding the key of {@code project}. */
  public static String keyEnvName(String project) {
    return "LAKEHOUSE_PROJECT_"
        + checkProjectName(project).toUpperCase(Locale.ROOT).replace('-', '_')
        + "_KEY";
  }

  /**
   * The key of {@code project}.
   *
   * @throws LakehouseException when no key is configured (naming where to put one), when the file
   *     cannot be read or when the key is too short; the value is never part of the message
   */
  public static Secret resolve(LakehouseConfig config, String project, Map<String, String> env) {
    String envName = keyEnvName(project);
    String fileEnvName = envName + "_FILE";
    String fileKey = keyFileConfigKey(project);
    LakehouseConfig effective = config;
    String fileFromEnv = env.get(fileEnvName);
    if (fileFromEnv != null && !fileFromEnv.isBlank() && blank(env.get(envName))) {
      // The env file name wins over the config file name, as env wins over files elsewhere.
      effective = config.with(fileKey, fileFromEnv.trim());
    }
    Optional<Secret> secret = Secrets.resolve(effective, env, fileKey, List.of(envName));
    if (secret.isEmpty()) {
      throw new LakehouseException(
          String.format(
              Locale.ROOT,
              "No key for project '%s': set environment %s to the key, or %s or config %s to a"
                  + " file holding it (at least %d bytes, e.g. `openssl rand -hex 32 > key; chmod"
                  + " 400 key`). Keep the key: later extractions of the project need the same one.",
              project,
              envName,
              fileEnvName,
              fileKey,
              MIN_KEY_BYTES));
    }
    int length = secret.get().reveal().getBytes(StandardCharsets.UTF_8).length;
    checkArgument(
        length >= MIN_KEY_BYTES,
        "The key of project '%s' (%s) is too short (%d bytes): use at least %d, e.g. the output"
            + " of `openssl rand -hex 32`",
        project,
        secret.get().name(),
        length,
        MIN_KEY_BYTES);
    return secret.get();
  }

  static String checkProjectName(String project) {
    checkArgument(
        project != null && PROJECT_NAME.matcher(project).matches(),
        "Invalid project name '%s': use 1-48 lower-case letters, digits, - and _ (starting with a"
            + " letter or digit)",
        project);
    return project;
  }

  private static boolean blank(String s) {
    return s == null || s.isBlank();
  }
}
