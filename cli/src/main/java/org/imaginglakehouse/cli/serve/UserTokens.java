package org.imaginglakehouse.cli.serve;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.imaginglakehouse.core.LakehouseException;

/**
 * The analysts allowed to connect and the SHA-256 of each one's token, read from a users file: one
 * {@code user:sha256-hex-of-token} per line, {@code #} comments and blank lines ignored. The file
 * holds no token, only hashes, so it can be read by the server's operators without giving them the
 * analysts' tokens. Tokens must be random (e.g. {@code openssl rand -hex 32}): a plain hash is
 * enough for those, not for passwords.
 */
public final class UserTokens {
  /** User names become database names ({@code scratch_<user>}): lower-case identifiers. */
  static final Pattern USER = Pattern.compile("[a-z][a-z0-9_]{0,31}");

  private static final Pattern HASH = Pattern.compile("[0-9a-f]{64}");

  private final Map<String, byte[]> hashes;

  private UserTokens(Map<String, byte[]> hashes) {
    this.hashes = hashes;
  }

  /** Reads and checks the users file; errors name the line, never a hash. */
  public static UserTokens read(Path file) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new LakehouseException(
          "Cannot read the users file "
              + file
              + ": "
              + e.getMessage()
              + ". See docs/sql-endpoint.md.",
          e);
    }
    return parse(lines, file.toString());
  }

  static UserTokens parse(List<String> lines, String source) {
    Map<String, byte[]> hashes = new LinkedHashMap<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      String where = source + " line " + (i + 1);
      int colon = line.indexOf(':');
      if (colon < 0) {
        throw new LakehouseException(
            where
                + " is not 'user:sha256-of-token' (make the hash with"
                + " `printf %s \"$TOKEN\" | sha256sum`)");
      }
      String user = line.substring(0, colon).strip();
      String hash = line.substring(colon + 1).strip().toLowerCase(java.util.Locale.ROOT);
      if (!USER.matcher(user).matches()) {
        throw new LakehouseException(
            where
                + ": user name '"
                + user
                + "' must be lower-case letters, digits and _ (starting with a letter, at most 32)"
                + " since it names the user's scratch database");
      }
      if (!HASH.matcher(hash).matches()) {
        throw new LakehouseException(
            where
                + ": after the user name comes the SHA-256 of the token as 64 hex digits, not the"
                + " token itself (`printf %s \"$TOKEN\" | sha256sum`)");
      }
      if (hashes.put(user, HexFormat.of().parseHex(hash)) != null) {
        throw new LakehouseException(where + ": user " + user + " is listed twice");
      }
    }
    if (hashes.isEmpty()) {
      throw new LakehouseException(source + " lists no users: add lines 'user:sha256-of-token'");
    }
    long distinct = hashes.values().stream().map(HexFormat.of()::formatHex).distinct().count();
    if (distinct != hashes.size()) {
      throw new LakehouseException(
          source + ": two users have the same token; give each user a token of their own");
    }
    return new UserTokens(Map.copyOf(hashes));
  }

  /** The user whose token this is; every user's hash is compared, in constant time each. */
  public Optional<String> userOf(String token) {
    if (token == null || token.isEmpty()) {
      return Optional.empty();
    }
    byte[] hash = sha256(token);
    String found = null;
    for (Map.Entry<String, byte[]> entry : hashes.entrySet()) {
      if (MessageDigest.isEqual(hash, entry.getValue())) {
        found = entry.getKey();
      }
    }
    return Optional.ofNullable(found);
  }

  /** User names, sorted. */
  public List<String> users() {
    return hashes.keySet().stream().sorted().toList();
  }

  /** SHA-256 of the token's UTF-8 bytes. */
  static byte[] sha256(String token) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
    }
  }
}
