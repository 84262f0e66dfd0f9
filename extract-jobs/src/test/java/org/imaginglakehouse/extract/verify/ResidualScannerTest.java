package org.imaginglakehouse.extract.verify;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ResidualScannerTest {
  static final IdentifyingValues.Value NAME =
      new IdentifyingValues.Value("PatientName", "Müller Anna");
  static final IdentifyingValues.Value UID =
      new IdentifyingValues.Value("SOPInstanceUID", "1.2.826.0.1.3680043.2.1125.1");

  static byte[] embed(String text, Charset cs, int at, int size) {
    byte[] data = new byte[size];
    byte[] v = text.getBytes(cs);
    System.arraycopy(v, 0, data, at, v.length);
    return data;
  }

  @Test
  void findsAValueInAnyCaseWithCaretsForSpacesInUtf8AndLatin1() {
    ResidualScanner scanner = new ResidualScanner(List.of(NAME, UID), List.of());
    for (String variant : List.of("Müller Anna", "MÜLLER^ANNA", "müller^anna", "MÜLLER ANNA")) {
      for (Charset cs : List.of(StandardCharsets.UTF_8, StandardCharsets.ISO_8859_1)) {
        assertThat(scanner.scan(embed(variant, cs, 100, 400), -1, -1))
            .as(variant + " " + cs)
            .singleElement()
            .satisfies(h -> assertThat(h.offset()).isEqualTo(100))
            .satisfies(h -> assertThat(h.value()).isEqualTo(NAME));
      }
    }
    assertThat(
            scanner.scan(
                embed("1.2.826.0.1.3680043.2.1125.1", StandardCharsets.US_ASCII, 0, 50), -1, -1))
        .extracting(ResidualScanner.Hit::value)
        .containsExactly(UID);
  }

  @Test
  void anExtraCharacterSetIsSearchedToo() {
    IdentifyingValues.Value greek = new IdentifyingValues.Value("PatientName", "Δημήτρης");
    Charset iso7 = Charset.forName("ISO-8859-7");
    byte[] data = embed("Δημήτρης", iso7, 10, 64);
    assertThat(new ResidualScanner(List.of(greek), List.of()).scan(data, -1, -1)).isEmpty();
    assertThat(new ResidualScanner(List.of(greek), List.of(iso7)).scan(data, -1, -1)).hasSize(1);
  }

  @Test
  void shortValuesDoNotCountInsidePixelDataLongOnesDo() {
    IdentifyingValues.Value shortName = new IdentifyingValues.Value("PatientName part", "Kaye");
    ResidualScanner scanner = new ResidualScanner(List.of(shortName, NAME), List.of());
    byte[] data = embed("KAYE", StandardCharsets.US_ASCII, 200, 1000);
    System.arraycopy("MULLER ANNA".getBytes(StandardCharsets.ISO_8859_1), 0, data, 300, 11);
    data[301] = (byte) 0xDC; // Ü in Latin-1
    assertThat(scanner.scan(data, 150, 1000))
        .extracting(ResidualScanner.Hit::value)
        .containsExactly(NAME);
    assertThat(scanner.scan(data, 250, 1000)).hasSize(2);
  }

  @Test
  void aNamePartCountsAsAWholeWordNotInsideAnother() {
    IdentifyingValues.Value part = new IdentifyingValues.Value("PatientName part", "Mary");
    IdentifyingValues.Value whole = new IdentifyingValues.Value("PatientName", "Smith Mary");
    ResidualScanner scanner = new ResidualScanner(List.of(part, whole), List.of());
    byte[] imageType = "ORIGINAL\\PRIMARY\\AXIAL ".getBytes(StandardCharsets.US_ASCII);
    assertThat(scanner.scan(imageType, -1, -1)).isEmpty();
    assertThat(scanner.scan("MARYLAND".getBytes(StandardCharsets.US_ASCII), -1, -1)).isEmpty();
    for (String found :
        List.of("MARY", "^MARY^", "Dr Mary.", "SMITH^MARY", "x\\mary\0", "7MARY7")) {
      assertThat(scanner.scan(found.getBytes(StandardCharsets.ISO_8859_1), -1, -1))
          .as(found)
          .extracting(ResidualScanner.Hit::value)
          .contains(part);
    }
    byte[] binary = {(byte) 0x93, 'M', 'A', 'R', 'Y', (byte) 0x81};
    assertThat(scanner.scan(binary, -1, -1)).extracting(ResidualScanner.Hit::value).contains(part);
    // The last value before PixelData (tag E0 7F 10 00): 0xE0 is a Latin-1 letter, not a word.
    byte[] beforePixels = {'^', 'M', 'A', 'R', 'Y', (byte) 0xE0, 0x7F, 0x10, 0x00};
    assertThat(scanner.scan(beforePixels, -1, -1))
        .extracting(ResidualScanner.Hit::value)
        .contains(part);
    // Fail closed: a part glued to an accented letter is reported, in Latin-1 and UTF-8.
    for (Charset charset : List.of(StandardCharsets.ISO_8859_1, StandardCharsets.UTF_8)) {
      assertThat(scanner.scan("MARYÉ".getBytes(charset), -1, -1))
          .as(charset.name())
          .extracting(ResidualScanner.Hit::value)
          .contains(part);
    }
    // A whole name is found anywhere, even glued to letters.
    assertThat(scanner.scan("xxSMITH^MARYxx".getBytes(StandardCharsets.US_ASCII), -1, -1))
        .extracting(ResidualScanner.Hit::value)
        .containsExactly(whole);
  }

  @Test
  void randomBytesAndNearMissesGiveNothing() {
    byte[] noise = new byte[1 << 20];
    new Random(7).nextBytes(noise);
    ResidualScanner scanner = new ResidualScanner(List.of(NAME, UID), List.of());
    assertThat(scanner.scan(noise, -1, -1)).isEmpty();
    assertThat(scanner.scan(embed("Müller Ann", StandardCharsets.UTF_8, 3, 40), -1, -1)).isEmpty();
    assertThat(
            scanner.scan(
                embed("1.2.826.0.1.3680043.2.1125.", StandardCharsets.UTF_8, 3, 40), -1, -1))
        .isEmpty();
  }

  @Test
  void aSecondScannersValuesAreFoundInTheSamePass() {
    ResidualScanner extraction = new ResidualScanner(List.of(NAME, UID), List.of());
    // A file's own few values: small tables, still every spelling found, and nothing in noise.
    ResidualScanner own =
        new ResidualScanner(IdentifyingValues.birthDateValues("19800131"), List.of());
    byte[] data = new byte[1 << 20];
    new Random(11).nextBytes(data);
    assertThat(extraction.scan(data, -1, -1, own)).isEmpty();
    byte[] name = "MÜLLER^ANNA".getBytes(StandardCharsets.UTF_8);
    System.arraycopy(name, 0, data, 1000, name.length);
    byte[] date = "31/01/1980".getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(date, 0, data, 700_000, date.length);
    assertThat(extraction.scan(data, -1, -1, own))
        .extracting(h -> h.value().kind(), ResidualScanner.Hit::offset)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("PatientName", 1000L),
            org.assertj.core.groups.Tuple.tuple(IdentifyingValues.BIRTH_DATE, 700_000L));
    assertThat(extraction.scan(data, -1, -1)).extracting(ResidualScanner.Hit::value).contains(NAME);
    assertThat(extraction.scan(data, -1, -1)).hasSize(1);
  }

  @Test
  void aBirthDateIsSearchedInItsCommonSpellings() {
    List<IdentifyingValues.Value> values = IdentifyingValues.birthDateValues("19800131");
    ResidualScanner scanner = new ResidualScanner(values, List.of());
    for (String spelling :
        List.of("19800131", "1980-01-31", "31/01/1980", "31.01.1980", "31 JAN 1980")) {
      assertThat(scanner.scan(embed("born " + spelling, StandardCharsets.US_ASCII, 0, 64), -1, -1))
          .as(spelling)
          .isNotEmpty();
    }
    assertThat(scanner.scan(embed("19800130 1980-02-31", StandardCharsets.US_ASCII, 0, 64), -1, -1))
        .isEmpty();
    assertThat(IdentifyingValues.birthDateValues("")).isEmpty();
  }

  @Test
  void identifyingValuesTakeNamesPartsDatesAddressesAndUids() {
    IdentifyingValues iv =
        new IdentifyingValues()
            .add("PatientName", "PN", List.of("DOE^JANE^^DR"))
            .add("PatientBirthDate", "DA", List.of("19800131"))
            .add("PatientAddress", "LO", List.of("12 High Street^Edinburgh^EH1 1YZ"))
            .add("StudyInstanceUID", "UI", List.of("1.2.3.4.5.6"))
            .add("SOPClassUID", "UI", List.of("1.2.840.10008.5.1.4.1.1.2"))
            .add("StudyDescription", "LO", List.of("CT HEAD"))
            .add("ReferencedSOPInstanceUID", "UI", List.of("1.2.3.4.5.9"))
            .add("OperatorsName", "PN", List.of("SMITH^AL"));
    assertThat(iv.values())
        .extracting(IdentifyingValues.Value::text)
        .contains(
            "DOE JANE DR",
            "JANE",
            "19800131",
            "1980-01-31",
            "31/01/1980",
            "31.01.1980",
            "31 Jan 1980",
            "12 High Street",
            "Edinburgh",
            "EH1 1YZ",
            "1.2.3.4.5.6",
            "1.2.3.4.5.9",
            "SMITH AL",
            "SMITH")
        .doesNotContain("DOE", "DR", "AL", "CT HEAD", "1.2.840.10008.5.1.4.1.1.2");
  }
}
