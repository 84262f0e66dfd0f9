package org.imaginglakehouse.transform.pseudonym;

import static org.imaginglakehouse.core.Preconditions.checkArgument;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.imaginglakehouse.core.LakehouseException;
import org.imaginglakehouse.core.config.Secret;

/**
 * Keyed pseudonyms: {@code HMAC-SHA256(key, domain || 0x00 || normalised identifier)}, truncated to
 * 128 bits and written as 32 lower-case hex digits. Without the key nobody can recompute or reverse
 * them (unlike unkeyed hashes of a 10-digit CHI, which are brute-forced in seconds).
 *
 * <p>The key is never exposed: {@link #toString()} shows only the {@linkplain #keyId() key id}, a
 * one-way fingerprint of the key that is safe to record next to the pseudonyms it produced, so a
 * key rotation can be detected. Different domains ({@code patient}, {@code accession}, ...) give
 * unrelated pseudonyms for the same input.
 */
public final class HmacPseudonymiser implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Domain of patient identifiers (CHI → EUPI). */
  public static final String PATIENT_DOMAIN = "patient";

  /** Minimum key length in bytes (e.g. {@code openssl rand -hex 32} gives 64). */
  public static final int MIN_KEY_BYTES = 32;

  private static final String ALGORITHM = "HmacSHA256";

  private final byte[] key;
  private final String keyId;
  private final String domain;
  private transient Mac mac;

  private HmacPseudonymiser(byte[] key, String domain) {
    checkArgument(
        key.length >= MIN_KEY_BYTES,
        "Pseudonymisation key is too short (%d bytes): use at least %d, e.g. the output of"
            + " `openssl rand -hex 32` in the key file",
        key.length,
        MIN_KEY_BYTES);
    checkArgument(
        domain != null && domain.matches("[a-z][a-z0-9_-]*"),
        "Invalid pseudonym domain '%s': use lower-case letters, digits, - and _",
        domain);
    this.key = key.clone();
    this.domain = domain;
    this.keyId = fingerprint(key);
  }

  /** A pseudonymiser for {@code domain} keyed by the UTF-8 bytes of the secret's value. */
  public static HmacPseudonymiser of(Secret secret, String domain) {
    return new HmacPseudonymiser(secret.reveal().getBytes(StandardCharsets.UTF_8), domain);
  }

  /** For tests and tools that hold the key bytes themselves. */
  public static HmacPseudonymiser ofBytes(byte[] key, String domain) {
    return new HmacPseudonymiser(key, domain);
  }

  /** The same key in another domain. */
  public HmacPseudonymiser inDomain(String otherDomain) {
    return new HmacPseudonymiser(key, otherDomain);
  }

  /**
   * The pseudonym of {@code identifier} (normalised with {@link PatientIds#normalise}); {@code
   * null} for a null or blank identifier.
   */
  public String pseudonym(String identifier) {
    String normalised = PatientIds.normalise(identifier);
    if (normalised == null) {
      return null;
    }
    byte[] digest = mac().doFinal((domain + '\0' + normalised).getBytes(StandardCharsets.UTF_8));
    return HexFormat.of().formatHex(digest, 0, 16);
  }

  /** One-way fingerprint of the key (12 hex digits): record it, never the key. */
  public String keyId() {
    return keyId;
  }

  public String domain() {
    return domain;
  }

  private Mac mac() {
    if (mac == null) {
      try {
        Mac created = Mac.getInstance(ALGORITHM);
        created.init(new SecretKeySpec(key, ALGORITHM));
        mac = created;
      } catch (GeneralSecurityException e) {
        throw new LakehouseException("HMAC-SHA256 is not available in this JVM", e);
      }
    }
    return mac;
  }

  static String fingerprint(byte[] key) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update("imaging-lakehouse key id v1\0".getBytes(StandardCharsets.UTF_8));
      byte[] digest = sha.digest(key);
      return HexFormat.of().formatHex(Arrays.copyOf(digest, 6));
    } catch (GeneralSecurityException e) {
      throw new LakehouseException("SHA-256 is not available in this JVM", e);
    }
  }

  @Override
  public String toString() {
    return "HmacPseudonymiser(domain=" + domain + ", keyId=" + keyId + ")";
  }
}
