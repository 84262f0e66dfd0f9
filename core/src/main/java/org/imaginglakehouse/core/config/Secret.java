package org.imaginglakehouse.core.config;

import java.io.Serializable;

/**
 * A secret value (S3 key, pseudonymisation key). Its {@link #toString()} never shows the value, so
 * it cannot leak through logging or string concatenation by accident.
 */
public final class Secret implements Serializable {
  private static final long serialVersionUID = 1L;

  private final String name;
  private final String value;

  Secret(String name, String value) {
    this.name = name;
    this.value = value;
  }

  /** Where the secret came from, e.g. {@code env LAKEHOUSE_S3_SECRET_KEY}: safe to log. */
  public String name() {
    return name;
  }

  /** The value itself: hand it only to the library that needs it. */
  public String reveal() {
    return value;
  }

  @Override
  public String toString() {
    return "Secret(" + name + ", ****)";
  }
}
