package org.imaginglakehouse.core.config;

import static org.imaginglakehouse.core.Preconditions.checkArgument;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.imaginglakehouse.core.LakehouseException;

/**
 * Resolves secrets from the environment or from files named in the config (never from argv) and
 * remembers every value resolved, so that {@link #redact(String)} can mask them in anything that is
 * logged or written to a run log.
 */
public final class Secrets {
  private static final Set<String> KNOWN_VALUES = ConcurrentHashMap.newKeySet();

  private Secrets() {}

  /**
   * Looks for the secret in each environment variable of {@code envNames} in order, then in the
   * file named by config key {@code fileKey}.
   */
  public static Optional<Secret> resolve(
      LakehouseConfig config, Map<String, String> env, String fileKey, List<String> envNames) {
    for (String envName : envNames) {
      String value = env.get(envName);
      if (value != null && !value.isBlank()) {
        return Optional.of(remember(new Secret("env " + envName, value.trim())));
      }
    }
    Optional<String> file = config.get(fileKey);
    if (file.isEmpty()) {
      return Optional.empty();
    }
    Path path = Path.of(file.get());
    checkArgument(
        Files.isReadable(path),
        "Cannot read secret file %s (from %s): no such readable file",
        path,
        fileKey);
    try {
      String value = Files.readString(path, StandardCharsets.UTF_8).trim();
      checkArgument(!value.isEmpty(), "Secret file %s (from %s) is empty", path, fileKey);
      return Optional.of(remember(new Secret("file " + path, value)));
    } catch (CharacterCodingException e) {
      throw new LakehouseException(
          "Cannot read secret file "
              + path
              + " (from "
              + fileKey
              + "): it is not UTF-8 text. Secrets are read as text: write a binary key as hex or"
              + " base64, e.g. `openssl rand -hex 32 > "
              + path
              + "`",
          e);
    } catch (IOException e) {
      throw new LakehouseException("Cannot read secret file " + path + ": " + e.getMessage(), e);
    }
  }

  private static Secret remember(Secret secret) {
    if (secret.reveal().length() >= 4) {
      KNOWN_VALUES.add(secret.reveal());
    }
    return secret;
  }

  /** Replaces every secret value resolved in this JVM with {@code ****}. */
  public static String redact(String text) {
    if (text == null) {
      return null;
    }
    String result = text;
    for (String value : KNOWN_VALUES) {
      result = result.replace(value, "****");
    }
    return result;
  }
}
