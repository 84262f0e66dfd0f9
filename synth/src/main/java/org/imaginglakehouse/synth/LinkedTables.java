package org.imaginglakehouse.synth;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Writes the linked tables (CSV always; Parquet when the Parquet library is on the classpath). */
final class LinkedTables {
  private LinkedTables() {}

  static final String CHI_EUPI = "chi_eupi";
  static final String SMR06 = "smr06";
  static final String PRESCRIBING = "prescribing";

  static final String[] CHI_EUPI_COLUMNS = {"chi", "eupi"};
  static final String[] SMR06_COLUMNS = {
    "record_id",
    "chi",
    "diagnosis_date",
    "icd10",
    "site",
    "morphology",
    "morphology_description",
    "who_grade",
    "stage",
    "health_board"
  };
  static final String[] PRESCRIBING_COLUMNS = {
    "item_id",
    "chi",
    "prescribed_date",
    "bnf_code",
    "drug",
    "formulation",
    "dose",
    "quantity",
    "daily_dose_mg"
  };

  /** Returns the table names written as Parquet (empty when Parquet is unavailable). */
  static List<String> write(Plan plan, Path dir, boolean parquet) throws IOException {
    Files.createDirectories(dir);
    csv(dir.resolve(CHI_EUPI + ".csv"), CHI_EUPI_COLUMNS, plan.chiEupi);
    csv(dir.resolve(SMR06 + ".csv"), SMR06_COLUMNS, plan.smr06);
    csv(dir.resolve(PRESCRIBING + ".csv"), PRESCRIBING_COLUMNS, plan.prescribing);
    if (!parquet || !ParquetTables.available()) {
      return List.of();
    }
    ParquetTables.write(
        dir.resolve(CHI_EUPI + ".parquet"),
        CHI_EUPI,
        CHI_EUPI_COLUMNS,
        plan.chiEupi,
        new String[0]);
    ParquetTables.write(
        dir.resolve(SMR06 + ".parquet"),
        SMR06,
        SMR06_COLUMNS,
        plan.smr06,
        new String[] {"diagnosis_date"});
    ParquetTables.write(
        dir.resolve(PRESCRIBING + ".parquet"),
        PRESCRIBING,
        PRESCRIBING_COLUMNS,
        plan.prescribing,
        new String[] {"prescribed_date", "quantity", "daily_dose_mg"});
    return List.of(CHI_EUPI, SMR06, PRESCRIBING);
  }

  static void csv(Path file, String[] header, List<String[]> rows) throws IOException {
    try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      w.write(String.join(",", header));
      w.write('\n');
      for (String[] row : rows) {
        for (int i = 0; i < row.length; i++) {
          if (i > 0) {
            w.write(',');
          }
          w.write(quote(row[i]));
        }
        w.write('\n');
      }
    }
  }

  private static String quote(String v) {
    if (v == null) {
      return "";
    }
    if (v.contains(",") || v.contains("\"") || v.contains("\n")) {
      return "\"" + v.replace("\"", "\"\"") + "\"";
    }
    return v;
  }
}
