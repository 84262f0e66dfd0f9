package org.imaginglakehouse.extract.deid;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Pattern;
import org.imaginglakehouse.core.LakehouseException;
import org.junit.jupiter.api.Test;

class HmacProjectPseudonymsTest {
  private static final byte[] KEY_A =
      "0123456789abcdef0123456789abcdef-a".getBytes(StandardCharsets.UTF_8);
  private static final byte[] KEY_B =
      "0123456789abcdef0123456789abcdef-b".getBytes(StandardCharsets.UTF_8);

  /** PS3.5 9.1 and B.2: components of digits, no leading zero except a lone 0. */
  private static final Pattern UID_2_25 = Pattern.compile("2\\.25\\.(0|[1-9][0-9]*)");

  private static HmacProjectPseudonyms project(byte[] key, String name) {
    return HmacProjectPseudonyms.ofBytes(
        key, name, HmacProjectPseudonyms.DEFAULT_MIN_DAYS, HmacProjectPseudonyms.DEFAULT_MAX_DAYS);
  }

  @Test
  void sameKeyAndProjectGiveTheSameValuesInAnotherInstanceAndAfterSerialisation() throws Exception {
    HmacProjectPseudonyms p = project(KEY_A, "gbm-2026");
    HmacProjectPseudonyms again = project(KEY_A.clone(), "gbm-2026");
    HmacProjectPseudonyms copy = roundTrip(p);
    for (String eupi : List.of("E0000001", "E0000002", " E0000003 ")) {
      assertThat(again.patientId(eupi)).isEqualTo(p.patientId(eupi));
      assertThat(copy.patientId(eupi)).isEqualTo(p.patientId(eupi));
      assertThat(copy.dayShift(eupi)).isEqualTo(p.dayShift(eupi));
    }
    assertThat(copy.uid("1.2.826.0.1.3680043.2.1")).isEqualTo(p.uid("1.2.826.0.1.3680043.2.1"));
    assertThat(copy.keyId()).isEqualTo(p.keyId());
    // UI padding does not make another UID; blanks around an EUPI do not make another patient.
    assertThat(p.uid("1.2.3.4\0")).isEqualTo(p.uid("1.2.3.4"));
    assertThat(p.patientId(" E0000003 ")).isEqualTo(p.patientId("E0000003"));
  }

  @Test
  void anotherProjectOrKeyGivesUnrelatedValues() {
    HmacProjectPseudonyms a = project(KEY_A, "gbm-2026");
    HmacProjectPseudonyms sameKeyOtherProject = project(KEY_A, "ct-head");
    HmacProjectPseudonyms otherKey = project(KEY_B, "gbm-2026");
    String eupi = "E1234567";
    String uid = "1.2.840.113619.2.55.3.1";
    for (HmacProjectPseudonyms other : List.of(sameKeyOtherProject, otherKey)) {
      assertThat(suffix(other.patientId(eupi))).isNotEqualTo(suffix(a.patientId(eupi)));
      assertThat(other.uid(uid)).isNotEqualTo(a.uid(uid));
    }
    assertThat(otherKey.keyId()).isNotEqualTo(a.keyId());
    assertThat(sameKeyOtherProject.keyId()).isEqualTo(a.keyId());
    // Domain separation: the UID of a string is not derived from the same HMAC as its patient ID.
    assertThat(a.uid(eupi)).doesNotContain(suffix(a.patientId(eupi)));
    // Day shifts of two projects agree only by chance (1 in 3286): not for all of 50 patients.
    int equal = 0;
    for (int i = 0; i < 50; i++) {
      String e = "E" + i;
      equal += a.dayShift(e) == sameKeyOtherProject.dayShift(e) ? 1 : 0;
    }
    assertThat(equal).isLessThan(3);
  }

  @Test
  void uidsAreValidAndDoNotCollideOver100kInputs() {
    HmacProjectPseudonyms p = project(KEY_A, "gbm-2026");
    Set<String> seen = new HashSet<>();
    int longest = 0;
    for (int i = 0; i < 100_000; i++) {
      String uid = p.uid("1.2.826.0.1.3680043.10.99." + i);
      assertThat(uid).matches(UID_2_25);
      longest = Math.max(longest, uid.length());
      seen.add(uid);
    }
    assertThat(seen).hasSize(100_000);
    assertThat(longest).isLessThanOrEqualTo(64).isGreaterThan(40);
  }

  @Test
  void patientIdsAreReadableAndSafeAsLoAndPn() {
    HmacProjectPseudonyms p = project(KEY_A, "gbm-2026");
    String id = p.patientId("E0000001");
    assertThat(id).matches("GBM-2026-[A-Z2-7]{16}");
    String longName = "a".repeat(48);
    assertThat(project(KEY_A, longName).patientId("E0000001"))
        .hasSizeLessThanOrEqualTo(64)
        .matches("A+-[A-Z2-7]{16}")
        .doesNotContain("^", "=", "\\");
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < 10_000; i++) {
      ids.add(p.patientId("E" + i));
    }
    assertThat(ids).hasSize(10_000);
  }

  @Test
  void dayShiftsAreInRangeNeverZeroAndRoughlyUniform() {
    HmacProjectPseudonyms p = project(KEY_A, "gbm-2026");
    int min = HmacProjectPseudonyms.DEFAULT_MIN_DAYS;
    int max = HmacProjectPseudonyms.DEFAULT_MAX_DAYS;
    int bins = 10;
    int n = 50_000;
    int[] counts = new int[bins];
    long span = (long) max - min + 1;
    for (int i = 0; i < n; i++) {
      int s = p.dayShift("E" + i);
      assertThat(s).isBetween(min, max).isNotZero();
      counts[(int) ((s - min) * bins / span)]++;
    }
    // Each decile expects 5000 (sd ~67): 5000 +- 400 is six standard deviations.
    for (int c : counts) {
      assertThat(c).isBetween(4600, 5400);
    }
    HmacProjectPseudonyms narrow = HmacProjectPseudonyms.ofBytes(KEY_A, "x", 3, 5);
    Set<Integer> values = new HashSet<>();
    for (int i = 0; i < 200; i++) {
      values.add(narrow.dayShift("E" + i));
    }
    assertThat(values).containsExactlyInAnyOrder(3, 4, 5);
  }

  @Test
  void rangesWithZeroShortKeysAndMissingInputsAreRefused() {
    assertThatThrownBy(() -> HmacProjectPseudonyms.ofBytes(KEY_A, "p", -10, 10))
        .isInstanceOf(LakehouseException.class)
        .hasMessageContaining("must not contain 0");
    assertThatThrownBy(() -> HmacProjectPseudonyms.ofBytes(new byte[31], "p", -10, -1))
        .hasMessageContaining("too short (31 bytes)");
    assertThatThrownBy(() -> HmacProjectPseudonyms.ofBytes(KEY_A, "Bad Name", -10, -1))
        .hasMessageContaining("Invalid project name");
    HmacProjectPseudonyms p = project(KEY_A, "p");
    assertThatThrownBy(() -> p.patientId(" ")).hasMessageContaining("No EUPI");
    assertThatThrownBy(() -> p.uid(null)).hasMessageContaining("No UID");
  }

  @Test
  void toStringShowsTheKeyIdNeverTheKeyAndIsTheSameFromManyThreads() throws Exception {
    HmacProjectPseudonyms p = project(KEY_A, "gbm-2026");
    assertThat(p.toString()).contains(p.keyId()).doesNotContain("0123456789abcdef");
    assertThat(p.keyId()).matches("[0-9a-f]{12}");
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<String>> results = new java.util.ArrayList<>();
      for (int t = 0; t < 8; t++) {
        results.add(
            pool.submit(
                () -> {
                  StringBuilder all = new StringBuilder();
                  for (int i = 0; i < 2000; i++) {
                    all.append(p.uid("1.2.3." + i)).append(p.dayShift("E" + i));
                  }
                  return all.toString();
                }));
      }
      String first = results.get(0).get();
      for (Future<String> r : results) {
        assertThat(r.get()).isEqualTo(first);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  private static String suffix(String patientId) {
    return patientId.substring(patientId.lastIndexOf('-') + 1);
  }

  private static HmacProjectPseudonyms roundTrip(HmacProjectPseudonyms p) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      p.uid("1.2.3"); // a Mac exists before serialisation: it must not be serialised
      out.writeObject(p);
    }
    try (ObjectInputStream in =
        new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      return (HmacProjectPseudonyms) in.readObject();
    }
  }
}
