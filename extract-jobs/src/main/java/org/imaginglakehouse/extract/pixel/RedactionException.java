package org.imaginglakehouse.extract.pixel;

import org.imaginglakehouse.extract.deid.SourceRejectedException;

/**
 * An image that the redaction cannot make clean, rejected with the reason's code ({@code
 * redaction_unsupported} or {@code redaction_failed}) and the message (structure only: syntaxes,
 * photometric interpretations, counts, identity kinds; never a value).
 */
public final class RedactionException extends SourceRejectedException {
  private static final long serialVersionUID = 1L;

  public RedactionException(Reason reason, String message) {
    super(reason, message);
  }

  public String code() {
    return reason().code();
  }
}
