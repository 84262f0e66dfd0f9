package org.imaginglakehouse.extract.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class PhiScannerTest {
  private final PhiScanner scanner = new PhiScanner();

  private static byte[] bytes(String prefix, byte[] middle) {
    byte[] p = prefix.getBytes(StandardCharsets.US_ASCII);
    byte[] out = new byte[p.length + middle.length + 3];
    System.arraycopy(p, 0, out, 0, p.length);
    System.arraycopy(middle, 0, out, p.length, middle.length);
    return out;
  }

  @Test
  void findsCaseAndSeparatorVariantsInBothEncodings() {
    String name = "Müller^Jürgen";
    assertThat(
            scanner.scan(
                bytes("xx", "MÜLLER JÜRGEN".getBytes(StandardCharsets.UTF_8)), List.of(name)))
        .extracting(PhiScanner.Hit::variant, PhiScanner.Hit::offset)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("upper, ^ as space UTF-8", 2L));
    assertThat(
            scanner.scan(
                bytes("", "müller^jürgen".getBytes(StandardCharsets.ISO_8859_1)), List.of(name)))
        .extracting(PhiScanner.Hit::variant)
        .containsExactly("lower ISO-8859-1");
    assertThat(
            scanner.scan(
                bytes("a", "Main^Street".getBytes(StandardCharsets.US_ASCII)),
                List.of("x", "Main Street")))
        .extracting(PhiScanner.Hit::valueIndex)
        .containsExactly(1);
  }

  @Test
  void reportsNothingForAbsentOrTooShortValues() {
    byte[] data = bytes("DOE^JANE 0101011234", new byte[0]);
    assertThat(scanner.scan(data, List.of("SMITH^JOHN", "1234567890", "DOE"))).isEmpty();
    assertThat(scanner.scan(data, List.of("DOE^JANE"))).hasSize(1);
    assertThat(new PhiScanner(3).scan(data, List.of("DOE"))).isNotEmpty();
    assertThat(PhiScanner.variants("1234")).hasSize(1);
    assertThat(PhiScanner.variants("Ab^c")).hasSize(6);
  }
}
