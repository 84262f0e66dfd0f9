package org.imaginglakehouse.transform.pseudonym;

import static org.imaginglakehouse.core.Preconditions.checkArgument;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.imaginglakehouse.core.LakehouseException;
import org.imaginglakehouse.core.config.LakehouseConfig;
import org.imaginglakehouse.core.config.Secret;
import org.imaginglakehouse.core.config.Secrets;

/**
 * Where patient pseudonyms come from, read from the {@code pseudonym.*} config keys (shared by
 * every job that pseudonymises: promote, link). Secrets (JDBC password, HMAC key) are read from the
 * environment or from files named in the config, never from the config itself.
 *
 * <pre>
 * pseudonym:
 *   source: csv | parquet | delta | jdbc | none   # the CHI → EUPI mapping table
 *   location: /secure/chi_eupi.csv                # csv / parquet / delta path (any Hadoop URI)
 *   chi-column: chi
 *   eupi-column: eupi
 *   csv-delimiter: ","
 *   jdbc-url: jdbc:postgresql://host/db
 *   jdbc-table: mapping.chi_eupi                  # or jdbc-query: select ...
 *   jdbc-user: lakehouse
 *   jdbc-password-file: /run/secrets/mapping-db   # or env LAKEHOUSE_PSEUDONYM_JDBC_PASSWORD
 *   fallback: none | hmac                         # pseudonyms for patients not in the table
 *   hmac-key-file: /run/secrets/pseudonym.key     # or env LAKEHOUSE_PSEUDONYM_KEY
 * </pre>
 */
public record PseudonymConfig(
    Source source,
    String location,
    String chiColumn,
    String eupiColumn,
    String csvDelimiter,
    String jdbcUrl,
    String jdbcTable,
    String jdbcQuery,
    String jdbcUser,
    Optional<Secret> jdbcPassword,
    Optional<Secret> hmacKey) {

  public static final String PREFIX = "pseudonym.";
  public static final String SOURCE = PREFIX + "source";
  public static final String LOCATION = PREFIX + "location";
  public static final String CHI_COLUMN = PREFIX + "chi-column";
  public static final String DEFAULT_CHI_COLUMN = "chi";
  public static final String EUPI_COLUMN = PREFIX + "eupi-column";
  public static final String DEFAULT_EUPI_COLUMN = "eupi";
  public static final String CSV_DELIMITER = PREFIX + "csv-delimiter";
  public static final String JDBC_URL = PREFIX + "jdbc-url";
  public static final String JDBC_TABLE = PREFIX + "jdbc-table";
  public static final String JDBC_QUERY = PREFIX + "jdbc-query";
  public static final String JDBC_USER = PREFIX + "jdbc-user";
  public static final String JDBC_PASSWORD_FILE = PREFIX + "jdbc-password-file";
  public static final List<String> JDBC_PASSWORD_ENV = List.of("LAKEHOUSE_PSEUDONYM_JDBC_PASSWORD");
  public static final String FALLBACK = PREFIX + "fallback";
  public static final String HMAC_KEY_FILE = PREFIX + "hmac-key-file";
  public static final List<String> HMAC_KEY_ENV = List.of("LAKEHOUSE_PSEUDONYM_KEY");

  /** Kind of mapping table. */
  public enum Source {
    CSV,
    PARQUET,
    DELTA,
    JDBC,
    /** No mapping table: every patient gets the HMAC fallback (which must then be enabled). */
    NONE;

    static Source parse(String value) {
      try {
        return valueOf(value.trim().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new LakehouseException(
            "Unknown " + SOURCE + " '" + value + "': expected csv, parquet, delta, jdbc or none");
      }
    }
  }

  public boolean hmacFallback() {
    return hmacKey.isPresent();
  }

  /** Reads the config; secrets from {@code env} first, then from the configured files. */
  public static PseudonymConfig from(LakehouseConfig config, Map<String, String> env) {
    Source source = Source.parse(config.get(SOURCE, "none"));
    String fallback = config.get(FALLBACK, "none").trim().toLowerCase(Locale.ROOT);
    checkArgument(
        fallback.equals("none") || fallback.equals("hmac"),
        "Unknown %s '%s': expected none or hmac",
        FALLBACK,
        fallback);
    Optional<Secret> hmacKey = Optional.empty();
    if (fallback.equals("hmac")) {
      hmacKey = Secrets.resolve(config, env, HMAC_KEY_FILE, HMAC_KEY_ENV);
      checkArgument(
          hmacKey.isPresent(),
          "%s=hmac needs a key: set environment %s or %s to a file holding at least %d bytes"
              + " (e.g. `openssl rand -hex 32 > key; chmod 400 key`)",
          FALLBACK,
          HMAC_KEY_ENV.get(0),
          HMAC_KEY_FILE,
          HmacPseudonymiser.MIN_KEY_BYTES);
    }
    checkArgument(
        source != Source.NONE || hmacKey.isPresent(),
        "No pseudonym source: set %s (csv, parquet, delta or jdbc) and %s, or %s=hmac with a key",
        SOURCE,
        LOCATION,
        FALLBACK);
    String location = config.get(LOCATION, null);
    if (source == Source.CSV || source == Source.PARQUET || source == Source.DELTA) {
      checkArgument(
          location != null, "%s=%s needs %s (path of the mapping table)", SOURCE, source, LOCATION);
    }
    String jdbcUrl = config.get(JDBC_URL, null);
    String jdbcTable = config.get(JDBC_TABLE, null);
    String jdbcQuery = config.get(JDBC_QUERY, null);
    Optional<Secret> jdbcPassword = Optional.empty();
    if (source == Source.JDBC) {
      checkArgument(jdbcUrl != null, "%s=jdbc needs %s", SOURCE, JDBC_URL);
      checkArgument(
          (jdbcTable == null) != (jdbcQuery == null),
          "%s=jdbc needs exactly one of %s and %s",
          SOURCE,
          JDBC_TABLE,
          JDBC_QUERY);
      jdbcPassword = Secrets.resolve(config, env, JDBC_PASSWORD_FILE, JDBC_PASSWORD_ENV);
    }
    return new PseudonymConfig(
        source,
        location,
        config.get(CHI_COLUMN, DEFAULT_CHI_COLUMN),
        config.get(EUPI_COLUMN, DEFAULT_EUPI_COLUMN),
        config.get(CSV_DELIMITER, ","),
        jdbcUrl,
        jdbcTable,
        jdbcQuery,
        config.get(JDBC_USER, null),
        jdbcPassword,
        hmacKey);
  }

  /** Safe to log: names the source and key id, never a secret. */
  public String describe() {
    String where =
        switch (source) {
          case CSV, PARQUET, DELTA -> source.name().toLowerCase(Locale.ROOT) + " " + location;
          case JDBC -> "jdbc " + jdbcUrl + " " + (jdbcTable != null ? jdbcTable : "(query)");
          case NONE -> "no mapping table";
        };
    return where
        + hmacKey
            .map(k -> ", HMAC fallback key id " + HmacPseudonymiser.of(k, "patient").keyId())
            .orElse("");
  }

  @Override
  public String toString() {
    return "PseudonymConfig(" + describe() + ")";
  }
}
