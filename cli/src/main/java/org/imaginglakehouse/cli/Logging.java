package org.imaginglakehouse.cli;

/**
 * The CLI's two logging set-ups: {@code log4j2.properties} (our phase lines and warnings that need
 * attention; known Spark noise raised to ERROR) and, with {@code --verbose}, {@code
 * log4j2-verbose.properties} (Spark's, Delta's and Hadoop's INFO logs).
 */
final class Logging {
  static final String VERBOSE_CONFIG = "log4j2-verbose.properties";

  /** Log4j's setting for its configuration file; read when logging first starts. */
  static final String CONFIGURATION_FILE_PROPERTY = "log4j2.configurationFile";

  private Logging() {}

  /**
   * Makes this JVM log with the verbose configuration. Called after the arguments are parsed and
   * before anything logs (Spark, Delta and our jobs start later), so Log4j starts with it; a
   * configuration the user chose ({@code -Dlog4j2.configurationFile}) is kept.
   */
  static void verbose() {
    if (System.getProperty(CONFIGURATION_FILE_PROPERTY) == null
        && System.getProperty("log4j.configurationFile") == null
        && Logging.class.getClassLoader().getResource(VERBOSE_CONFIG) != null) {
      System.setProperty(CONFIGURATION_FILE_PROPERTY, VERBOSE_CONFIG);
    }
  }
}
