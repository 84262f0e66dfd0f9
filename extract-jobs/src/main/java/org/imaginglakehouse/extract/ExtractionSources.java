package org.imaginglakehouse.extract;

import static org.apache.spark.sql.functions.col;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.imaginglakehouse.extract.verify.IdentifyingValues;

/**
 * The source instances behind an extraction's files, read once from {@code identifiable.instances}
 * for verify: the identifying values of their headers, and per source (by the SHA-256 of its SOP
 * Instance UID, as {@code project_<P>.files} keeps it) its file and the header values the scan
 * compares with. Only the extraction's sources are kept: a semi-join with the broadcast list of the
 * files' source hashes, so no header is shuffled or cached that the extraction does not hold.
 */
final class ExtractionSources {
  /** What verify needs of one source instance; the study UID is the source's (for the reports). */
  record Source(
      String filePath,
      String birthDate,
      String patientName,
      String patientId,
      String accession,
      String studyUid) {}

  private final List<IdentifyingValues.Value> values;
  private final Map<String, Source> byHash;

  private ExtractionSources(List<IdentifyingValues.Value> values, Map<String, Source> byHash) {
    this.values = values;
    this.byHash = byHash;
  }

  /** Reads the sources whose SOP UID hashes to one of {@code hashes} (two jobs over one cache). */
  static ExtractionSources read(
      SparkSession spark, Dataset<Row> instances, Collection<String> hashes) {
    Dataset<Row> wanted =
        spark.createDataset(new ArrayList<>(new TreeSet<>(hashes)), Encoders.STRING()).toDF("w");
    Dataset<Row> sources =
        instances
            .select(
                functions.sha2(col("SOPInstanceUID"), 256).as("h"),
                col("StudyInstanceUID"),
                col("header"),
                col("file_path"),
                sourceValue("PatientBirthDate").as("source_birth_date"),
                sourceValue("PatientName").as("source_patient_name"),
                sourceValue("PatientID").as("source_patient_id"),
                sourceValue("AccessionNumber").as("source_accession"))
            .join(functions.broadcast(wanted), col("h").equalTo(col("w")), "left_semi")
            .cache();
    try {
      List<IdentifyingValues.Value> values = VerifyExecutor.identifyingValues(sources);
      Map<String, Source> byHash = new HashMap<>();
      for (Row r :
          sources
              .select(
                  "h",
                  "file_path",
                  "source_birth_date",
                  "source_patient_name",
                  "source_patient_id",
                  "source_accession",
                  "StudyInstanceUID")
              .collectAsList()) {
        byHash.put(
            r.getString(0),
            new Source(
                r.getString(1),
                r.getString(2),
                r.getString(3),
                r.getString(4),
                r.getString(5),
                r.getString(6)));
      }
      return new ExtractionSources(values, byHash);
    } finally {
      sources.unpersist();
    }
  }

  /** The identifying values of every source header (birth dates excepted: per file, see there). */
  List<IdentifyingValues.Value> values() {
    return values;
  }

  /** The source of a file by its {@code source_uid_sha256}, or null when it is not ingested. */
  Source source(String sourceUidSha256) {
    return byHash.get(sourceUidSha256);
  }

  /** The source studies of the extraction's files. */
  Set<String> studies() {
    Set<String> out = new TreeSet<>();
    for (Source s : byHash.values()) {
      if (s.studyUid() != null) {
        out.add(s.studyUid());
      }
    }
    return out;
  }

  /** A source header value (the first value of a top-level keyword), or NULL. */
  private static Column sourceValue(String keyword) {
    // try_: a source without the attribute, or with it empty, has none
    return functions.expr(
        "try_element_at(try_element_at(filter(header, e -> e.keyword = '"
            + keyword
            + "'), 1).values, 1)");
  }
}
