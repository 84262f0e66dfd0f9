package org.imaginglakehouse.transform.pseudonym;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import org.imaginglakehouse.core.LakehouseException;
import org.junit.jupiter.api.Test;

class HmacPseudonymiserTest {
  private static final byte[] KEY =
      "0123456789abcdef0123456789abcdef-test-key".getBytes(StandardCharsets.UTF_8);

  @Test
  void pseudonymIsStableKeyedAndNormalised() {
    HmacPseudonymiser h = HmacPseudonymiser.ofBytes(KEY, "patient");
    String p = h.pseudonym("0101011234");
    assertThat(p).matches("[0-9a-f]{32}");
    assertThat(h.pseudonym(" 010101 1234 ")).isEqualTo(p);
    assertThat(h.pseudonym("010101-1234")).isEqualTo(p);
    assertThat(h.pseudonym("0101011235")).isNotEqualTo(p);
    assertThat(h.pseudonym(null)).isNull();
    assertThat(h.pseudonym("  ")).isNull();

    byte[] otherKey = KEY.clone();
    otherKey[0] ^= 1;
    HmacPseudonymiser other = HmacPseudonymiser.ofBytes(otherKey, "patient");
    assertThat(other.pseudonym("0101011234")).isNotEqualTo(p);
    assertThat(other.keyId()).isNotEqualTo(h.keyId());
    assertThat(h.inDomain("accession").pseudonym("0101011234")).isNotEqualTo(p);
    assertThat(h.inDomain("accession").keyId()).isEqualTo(h.keyId());
  }

  @Test
  void pseudonymIsTheDocumentedHmac() throws Exception {
    HmacPseudonymiser h = HmacPseudonymiser.ofBytes(KEY, "patient");
    javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
    mac.init(new javax.crypto.spec.SecretKeySpec(KEY, "HmacSHA256"));
    byte[] full = mac.doFinal("patient\0ABC123".getBytes(StandardCharsets.UTF_8));
    String expected = java.util.HexFormat.of().formatHex(full).substring(0, 32);
    assertThat(h.pseudonym("abc 123")).isEqualTo(expected);
  }

  @Test
  void keyNeverShownAndShortKeysRefused() {
    HmacPseudonymiser h = HmacPseudonymiser.ofBytes(KEY, "patient");
    assertThat(h.toString()).doesNotContain("0123456789abcdef").contains(h.keyId());
    assertThat(h.keyId()).matches("[0-9a-f]{12}");
    assertThatThrownBy(() -> HmacPseudonymiser.ofBytes(new byte[8], "patient"))
        .isInstanceOf(LakehouseException.class)
        .hasMessageContaining("too short");
  }

  @Test
  void noCollisionsOnManyChis() {
    HmacPseudonymiser h = HmacPseudonymiser.ofBytes(KEY, "patient");
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 20_000; i++) {
      seen.add(h.pseudonym(String.format("%010d", 1_000_000_000L + i * 7919L)));
    }
    assertThat(seen).hasSize(20_000);
  }

  @Test
  void patientIdNormalisation() {
    assertThat(PatientIds.normalise(" 010101\u00a01234\t")).isEqualTo("0101011234");
    assertThat(PatientIds.normalise("ab-c")).isEqualTo("ABC");
    assertThat(PatientIds.normalise(" - ")).isNull();
    assertThat(PatientIds.normalise(null)).isNull();
  }
}
