package org.imaginglakehouse.transform.pseudonym;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.imaginglakehouse.core.LakehouseException;
import org.imaginglakehouse.core.config.LakehouseConfig;
import org.imaginglakehouse.core.testing.SparkTestBase;
import org.junit.jupiter.api.Test;

class PseudonymiserTest extends SparkTestBase {
  private static final String KEY = "k3y-for-tests-0123456789abcdef0123456789";

  private static Dataset<Row> patients() {
    StructType schema = new StructType().add("PatientID", DataTypes.StringType).add("n", "int");
    return spark()
        .createDataFrame(
            List.of(
                RowFactory.create("0101011234", 1),
                RowFactory.create("020202 2345", 2),
                RowFactory.create("0303033456", 3),
                RowFactory.create("0404044567", 4),
                RowFactory.create(null, 5),
                RowFactory.create("  ", 6)),
            schema);
  }

  private static Path csvMapping(String name) throws Exception {
    Path csv = tempDir.resolve(name);
    Files.writeString(
        csv,
        "chi,eupi\n0101011234,EUPI-A\n0202022345,EUPI-B\n0303033456,EUPI-C1\n0303033456,EUPI-C2\n"
            + "0101011234,EUPI-A\n",
        StandardCharsets.UTF_8);
    return csv;
  }

  private static Map<Integer, List<Object>> byN(Dataset<Row> out) {
    return out.collectAsList().stream()
        .collect(
            Collectors.toMap(
                r -> r.<Integer>getAs("n"),
                r ->
                    java.util.Arrays.asList(
                        r.getAs(Pseudonymiser.EUPI),
                        r.getAs(Pseudonymiser.EUPI_SOURCE),
                        r.getAs(Pseudonymiser.REJECTION))));
  }

  @Test
  void csvMappingWithRejections() throws Exception {
    LakehouseConfig config =
        LakehouseConfig.builder()
            .flag(PseudonymConfig.SOURCE, "csv")
            .flag(PseudonymConfig.LOCATION, csvMapping("map.csv").toString())
            .build();
    Pseudonymiser p = Pseudonymiser.create(spark(), PseudonymConfig.from(config, Map.of()));
    Dataset<Row> out = p.apply(patients(), "PatientID");
    assertThat(out.columns())
        .contains("PatientID", "n", "eupi", "eupi_source", "pseudonym_rejection");
    Map<Integer, List<Object>> rows = byN(out);
    assertThat(rows).hasSize(6);
    assertThat(rows.get(1)).containsExactly("EUPI-A", "mapping", null);
    assertThat(rows.get(2)).containsExactly("EUPI-B", "mapping", null);
    assertThat(rows.get(3)).containsExactly(null, null, Pseudonymiser.REASON_AMBIGUOUS);
    assertThat(rows.get(4)).containsExactly(null, null, Pseudonymiser.REASON_UNMAPPED);
    assertThat(rows.get(5)).containsExactly(null, null, Pseudonymiser.REASON_MISSING_ID);
    assertThat(rows.get(6)).containsExactly(null, null, Pseudonymiser.REASON_MISSING_ID);
    assertThat(p.mapping().count()).isEqualTo(2);
    assertThat(p.ambiguousChis().collectAsList())
        .extracting(r -> r.getString(0))
        .containsExactly("0303033456");
  }

  @Test
  void parquetAndDeltaSourcesWithHmacFallback() throws Exception {
    Dataset<Row> mapping =
        spark()
            .createDataFrame(
                List.of(
                    RowFactory.create("0101011234", "E1"), RowFactory.create("0202022345", "E2")),
                new StructType().add("patient_chi", "string").add("patient_eupi", "string"));
    String parquet = tempDir.resolve("map.parquet").toString();
    String delta = tempDir.resolve("map.delta").toString();
    mapping.write().mode("overwrite").parquet(parquet);
    mapping.write().format("delta").mode("overwrite").save(delta);
    Path keyFile = tempDir.resolve("pseudonym.key");
    Files.writeString(keyFile, KEY + "\n");
    String fingerprint = null;
    for (String[] source : new String[][] {{"parquet", parquet}, {"delta", delta}}) {
      LakehouseConfig config =
          LakehouseConfig.builder()
              .flag(PseudonymConfig.SOURCE, source[0])
              .flag(PseudonymConfig.LOCATION, source[1])
              .flag(PseudonymConfig.CHI_COLUMN, "patient_chi")
              .flag(PseudonymConfig.EUPI_COLUMN, "patient_eupi")
              .flag(PseudonymConfig.FALLBACK, "hmac")
              .flag(PseudonymConfig.HMAC_KEY_FILE, keyFile.toString())
              .build();
      PseudonymConfig pc = PseudonymConfig.from(config, Map.of());
      assertThat(pc.toString()).doesNotContain(KEY);
      Pseudonymiser p = Pseudonymiser.create(spark(), pc);
      HmacPseudonymiser h =
          HmacPseudonymiser.ofBytes(KEY.getBytes(StandardCharsets.UTF_8), "patient");
      assertThat(p.hmacKeyId()).contains(h.keyId());
      Map<Integer, List<Object>> rows = byN(p.apply(patients(), "PatientID"));
      assertThat(rows.get(1)).containsExactly("E1", "mapping", null);
      assertThat(rows.get(2)).containsExactly("E2", "mapping", null);
      assertThat(rows.get(3)).containsExactly(h.pseudonym("0303033456"), "hmac:" + h.keyId(), null);
      assertThat(rows.get(4)).containsExactly(h.pseudonym("0404044567"), "hmac:" + h.keyId(), null);
      assertThat(rows.get(5)).containsExactly(null, null, Pseudonymiser.REASON_MISSING_ID);
      if (fingerprint != null) {
        assertThat(p.fingerprint()).isEqualTo(fingerprint);
      }
      fingerprint = p.fingerprint();
    }
  }

  @Test
  void fingerprintChangesWhenMappingChanges() throws Exception {
    Path csv = tempDir.resolve("fp.csv");
    Map<String, String> flags = new HashMap<>();
    flags.put(PseudonymConfig.SOURCE, "csv");
    flags.put(PseudonymConfig.LOCATION, csv.toString());
    LakehouseConfig.Builder b = LakehouseConfig.builder();
    flags.forEach(b::flag);
    LakehouseConfig config = b.build();
    Files.writeString(csv, "chi,eupi\n0101011234,E1\n0202022345,E2\n");
    String before = Pseudonymiser.create(spark(), config).fingerprint();
    Files.writeString(csv, "chi,eupi\n0101011234,E1\n0202022345,E2\n");
    assertThat(Pseudonymiser.create(spark(), config).fingerprint()).isEqualTo(before);
    Files.writeString(csv, "chi,eupi\n0101011234,E1\n0202022345,E3\n");
    assertThat(Pseudonymiser.create(spark(), config).fingerprint()).isNotEqualTo(before);
  }

  @Test
  void configErrorsSayWhatToDo() {
    assertThatThrownBy(() -> PseudonymConfig.from(LakehouseConfig.defaults(), Map.of()))
        .isInstanceOf(LakehouseException.class)
        .hasMessageContaining("pseudonym.source");
    LakehouseConfig hmacWithoutKey =
        LakehouseConfig.builder().flag(PseudonymConfig.FALLBACK, "hmac").build();
    assertThatThrownBy(() -> PseudonymConfig.from(hmacWithoutKey, Map.of()))
        .hasMessageContaining("LAKEHOUSE_PSEUDONYM_KEY");
    PseudonymConfig fromEnv =
        PseudonymConfig.from(hmacWithoutKey, Map.of("LAKEHOUSE_PSEUDONYM_KEY", KEY));
    assertThat(fromEnv.hmacFallback()).isTrue();
    LakehouseConfig badColumn =
        LakehouseConfig.builder()
            .flag(PseudonymConfig.SOURCE, "csv")
            .flag(PseudonymConfig.LOCATION, tempDir.resolve("map.csv").toString())
            .flag(PseudonymConfig.CHI_COLUMN, "nope")
            .build();
    assertThatThrownBy(
            () -> {
              csvMapping("map.csv");
              Pseudonymiser.create(spark(), PseudonymConfig.from(badColumn, Map.of())).mapping();
            })
        .hasMessageContaining("no column 'nope'");
  }
}
