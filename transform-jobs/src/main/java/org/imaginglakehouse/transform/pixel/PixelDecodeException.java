package org.imaginglakehouse.transform.pixel;

/** Pixel data that cannot be decoded; the message is the reason written to the output tables. */
public final class PixelDecodeException extends Exception {
  private static final long serialVersionUID = 1L;

  public PixelDecodeException(String reason) {
    super(reason);
  }

  public PixelDecodeException(String reason, Throwable cause) {
    super(reason, cause);
  }
}
