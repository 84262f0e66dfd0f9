package org.imaginglakehouse.core;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/** Versions of the project and of the engines it runs on, as found at run time. */
public final class BuildInfo {
  private static final Properties BUILD = load();

  private BuildInfo() {}

  private static Properties load() {
    Properties properties = new Properties();
    try (InputStream in = BuildInfo.class.getResourceAsStream("/lakehouse-build.properties")) {
      if (in != null) {
        properties.load(in);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return properties;
  }

  public static String projectVersion() {
    return BUILD.getProperty("project.version", "unknown");
  }

  /** The Spark version on the classpath (the cluster's own under spark-submit). */
  public static String sparkVersion() {
    try {
      Class<?> sparkPackage = Class.forName("org.apache.spark.package$");
      Object module = sparkPackage.getField("MODULE$").get(null);
      return (String) sparkPackage.getMethod("SPARK_VERSION").invoke(module);
    } catch (ReflectiveOperationException | LinkageError e) {
      return "not on classpath";
    }
  }

  /** Delta Lake is bundled in our jar, so the build-time version is the run-time version. */
  public static String deltaVersion() {
    return BUILD.getProperty("delta.version", "unknown");
  }

  public static String pixelmedVersion() {
    try {
      Class<?> constants = Class.forName("com.pixelmed.dicom.VersionAndConstants");
      String release = (String) constants.getField("releaseString").get(null);
      String build = (String) constants.getMethod("getBuildDate").invoke(null);
      return BUILD.getProperty("pixelmed.version", "?")
          + " ("
          + (release == null ? "" : release.trim())
          + (build == null || build.isBlank() ? "" : ", built " + build.trim())
          + ")";
    } catch (ReflectiveOperationException | LinkageError e) {
      return "not on classpath";
    }
  }

  /** Version line printed by the {@code tesseract} binary, or why there is none. */
  public static String tesseractVersion() {
    try {
      Process process =
          new ProcessBuilder("tesseract", "--version").redirectErrorStream(true).start();
      String first;
      try (BufferedReader reader =
          new BufferedReader(
              new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        first = reader.readLine();
        while (reader.readLine() != null) {
          // drain so the process can exit
        }
      }
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        return "not responding";
      }
      return first == null ? "unknown" : first.replace("tesseract", "").trim();
    } catch (IOException e) {
      return "not installed (apt-get install tesseract-ocr tesseract-ocr-eng)";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "unknown";
    }
  }

  /** All versions, in the order {@code lakehouse version} prints them. */
  public static Map<String, String> all() {
    Map<String, String> versions = new LinkedHashMap<>();
    versions.put("lakehouse", projectVersion());
    versions.put("java", System.getProperty("java.version"));
    versions.put("spark", sparkVersion());
    versions.put("delta", deltaVersion());
    versions.put("pixelmed", pixelmedVersion());
    versions.put("tesseract", tesseractVersion());
    return versions;
  }
}
