package org.imaginglakehouse.core;

/**
 * An error whose message is meant for the person running a job: the CLI prints only the message
 * (the stack trace only with {@code --verbose}) and exits non-zero.
 */
public class LakehouseException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public LakehouseException(String message) {
    super(message);
  }

  public LakehouseException(String message, Throwable cause) {
    super(message, cause);
  }
}
