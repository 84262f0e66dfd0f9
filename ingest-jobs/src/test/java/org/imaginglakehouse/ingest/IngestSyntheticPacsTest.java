package org.imaginglakehouse.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Row;
import org.imaginglakehouse.core.config.LakehouseConfig;
import org.imaginglakehouse.core.testing.SparkTestBase;
import org.imaginglakehouse.core.zone.Zone;
import org.imaginglakehouse.core.zone.ZoneLayout;
import org.imaginglakehouse.ingest.testing.DcmDump;
import org.imaginglakehouse.synth.GroundTruth;
import org.imaginglakehouse.synth.SynthOptions;
import org.imaginglakehouse.synth.SyntheticPacs;
import org.junit.jupiter.api.Test;

/** Acceptance on the synthetic PACS (with junk and a manifest): every file in its right place. */
class IngestSyntheticPacsTest extends SparkTestBase {

  /** The outcome a correct ingest gives each manifest entry. */
  private static Map<String, String> expected(GroundTruth gt) {
    Map<String, String> out = new HashMap<>();
    Map<String, List<String>> bySop = new TreeMap<>();
    for (GroundTruth.FileEntry f : gt.files()) {
      String path = absolute(gt, f);
      if (f.junkKind() == null) {
        out.put(path, "instance");
        bySop.computeIfAbsent(f.sopInstanceUid(), k -> new ArrayList<>()).add(path);
        continue;
      }
      switch (f.junkKind()) {
        case TRUNCATED, PIXEL_DATA_TRUNCATED -> out.put(path, "truncated");
        case ZERO_LENGTH, RANDOM_BYTES, TEXT_FILE -> out.put(path, "not_dicom");
        case DICOMDIR -> out.put(path, "skipped");
        case MISSING_PREAMBLE -> {
          out.put(path, "instance");
          bySop.computeIfAbsent(f.sopInstanceUid(), k -> new ArrayList<>()).add(path);
        }
        case DUPLICATE_SOP_INSTANCE_UID ->
            bySop.computeIfAbsent(f.sopInstanceUid(), k -> new ArrayList<>()).add(path);
      }
    }
    // Duplicate policy: the smallest path is kept, the others are duplicate_sop.
    for (List<String> paths : bySop.values()) {
      paths.sort(String::compareTo);
      out.put(paths.get(0), "instance");
      for (String other : paths.subList(1, paths.size())) {
        out.put(other, "duplicate_sop");
      }
    }
    return out;
  }

  private static String absolute(GroundTruth gt, GroundTruth.FileEntry f) {
    String p = f.path();
    int bang = p.indexOf('!');
    return bang < 0
        ? gt.root().resolve(p).toString()
        : gt.root().resolve(p.substring(0, bang)) + p.substring(bang);
  }

  @Test
  void everyFileOfTheSyntheticPacsIsAccountedForWithTheRightClassAndValues() {
    Path out = tempDir.resolve("synth");
    SyntheticPacs.generate(
        out,
        SynthOptions.builder()
            .patients(8)
            .seed(7)
            .imagesScale(0.1)
            .junkRate(0.08)
            .pixelSize(SynthOptions.PixelSize.TINY)
            .threads(1)
            .build());
    GroundTruth gt = GroundTruth.read(out);
    Map<String, String> expected = expected(gt);
    assertThat(expected.values()).contains("instance", "not_dicom");

    LakehouseConfig config = newHomeConfig("home-synth");
    IngestResult result =
        new IngestJob(
                spark(), config, IngestJob.options(config, gt.dicomRoot().toString(), Map.of()))
            .execute();
    ZoneLayout layout = ZoneLayout.from(config);
    Map<String, String> actual = new HashMap<>();
    for (Row r :
        spark()
            .read()
            .format("delta")
            .load(layout.table(Zone.IDENTIFIABLE, "file_index"))
            .selectExpr(
                "file_path",
                "CASE status WHEN 'ingested' THEN 'instance' WHEN 'skipped' THEN 'skipped' ELSE error_class END")
            .collectAsList()) {
      actual.put(r.getString(0), r.getString(1));
    }
    assertThat(actual).isEqualTo(expected);
    assertThat(result.inputs()).isEqualTo(expected.size());
    assertThat(result.accountedFor()).isTrue();
    long instances =
        spark().read().format("delta").load(layout.table(Zone.IDENTIFIABLE, "instances")).count();
    assertThat(instances).isEqualTo(expected.values().stream().filter("instance"::equals).count());

    // Tag values against the manifest.
    Map<String, Row> bySop = new HashMap<>();
    for (Row r :
        spark()
            .read()
            .format("delta")
            .load(layout.table(Zone.IDENTIFIABLE, "instances"))
            .select(
                "SOPInstanceUID",
                "file_path",
                "PatientName",
                "PatientID",
                "Modality",
                "StudyDate",
                "StudyInstanceUID",
                "SeriesDescription",
                "Rows")
            .collectAsList()) {
      bySop.put(r.getString(0), r);
    }
    int nonAscii = 0;
    for (GroundTruth.FileEntry f : gt.files()) {
      String path = absolute(gt, f);
      if (!"instance".equals(expected.get(path))) {
        continue;
      }
      Row r = bySop.get(f.sopInstanceUid());
      assertThat(r).as(path).isNotNull();
      assertThat(r.getString(1)).isEqualTo(path);
      assertThat(r.getString(2)).as(path).isEqualTo(emptyToNull(f.patientName()));
      assertThat(r.getString(3)).as(path).isEqualTo(emptyToNull(f.patientId()));
      assertThat(r.getString(4)).isEqualTo(f.modality());
      assertThat(r.getString(5)).isEqualTo(f.studyDate());
      assertThat(r.getString(6)).isEqualTo(f.studyInstanceUid());
      // dcmdump agrees on a sample of plain files, including every non-ASCII name.
      boolean special = f.patientName() != null && !f.patientName().chars().allMatch(c -> c < 128);
      if (!path.contains("!") && (special || f.instanceNumber() == 1) && nonAscii < 12) {
        nonAscii++;
        Map<String, String> dump = DcmDump.values(Path.of(path));
        assertThat(r.getString(2)).as(path).isEqualTo(emptyToNull(dump.get("00100010")));
        assertThat(r.getString(4)).isEqualTo(dump.get("00080060"));
      }
    }
    assertThat(nonAscii).isPositive();
  }

  private static String emptyToNull(String s) {
    return s == null || s.isEmpty() ? null : s;
  }
}
