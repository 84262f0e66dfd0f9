package org.imaginglakehouse.synth;

import com.fasterxml.jackson.databind.ObjectWriter;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.imaginglakehouse.core.LakehouseException;
import org.imaginglakehouse.synth.Plan.PatientPlan;
import org.imaginglakehouse.synth.Plan.StudyPlan;

/**
 * Generates a synthetic national PACS: DICOM tree under {@code <out>/dicom}, linked tables under
 * {@code <out>/linked}, ground truth under {@code <out>/ground-truth}. Deterministic: the same
 * options give byte-identical files whatever the thread count.
 *
 * <pre>{@code
 * SyntheticPacs.Summary s = SyntheticPacs.generate(dir, SynthOptions.builder().patients(20).seed(7).build());
 * GroundTruth gt = GroundTruth.read(dir);
 * }</pre>
 */
public final class SyntheticPacs {
  private SyntheticPacs() {}

  /** What was generated. */
  public record Summary(
      Path out,
      int patients,
      int studies,
      long series,
      long dicomFiles,
      long junkFiles,
      long bytes,
      long frames,
      long burnedInBoxes,
      Map<String, Long> studiesByModality,
      Map<String, Long> junkByKind,
      List<String> parquetTables,
      long millis) {

    /** A human-readable multi-line summary. */
    public String describe() {
      return String.format(
          "Synthetic PACS written to %s%n  patients %d, studies %d, series %d%n"
              + "  DICOM files %d (%d frames, %.1f MB), junk files %d %s%n"
              + "  burned-in text boxes %d%n  studies by modality %s%n  linked tables: csv%s%n"
              + "  took %.1f s (%.0f files/s)%n",
          out,
          patients,
          studies,
          series,
          dicomFiles,
          frames,
          bytes / 1e6,
          junkFiles,
          junkByKind,
          burnedInBoxes,
          studiesByModality,
          parquetTables.isEmpty() ? "" : " + parquet",
          millis / 1000.0,
          (dicomFiles + junkFiles) / Math.max(0.001, millis / 1000.0));
    }
  }

  /**
   * Generates an archive into {@code out} (created; must be empty or absent so that runs never
   * mix).
   */
  public static Summary generate(Path out, SynthOptions options) {
    long t0 = System.nanoTime();
    try {
      if (Files.exists(out)) {
        try (var s = Files.list(out)) {
          if (s.findAny().isPresent()) {
            throw new LakehouseException(
                "Output directory "
                    + out
                    + " is not empty; choose a new --out directory or delete it first");
          }
        }
      }
      Files.createDirectories(out.resolve(GroundTruth.DICOM_DIR));
      Plan plan = new Planner(options).plan();
      List<List<GroundTruth.FileEntry>> perStudy = new ArrayList<>(plan.studies.size());
      long bytes = 0;
      ExecutorService pool =
          Executors.newFixedThreadPool(
              options.threads(),
              r -> {
                Thread t = new Thread(r, "synth-worker");
                t.setDaemon(true);
                return t;
              });
      try {
        List<Future<StudyWriter>> futures = new ArrayList<>();
        for (StudyPlan s : plan.studies) {
          futures.add(
              pool.submit(
                  () -> {
                    StudyWriter w = new StudyWriter(options, s, out);
                    w.entries = w.write();
                    return w;
                  }));
        }
        for (Future<StudyWriter> f : futures) {
          StudyWriter w = f.get();
          perStudy.add(w.entries);
          bytes += w.bytes;
        }
      } catch (ExecutionException e) {
        Throwable c = e.getCause();
        throw new LakehouseException("Synthetic PACS generation failed: " + c, c);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new LakehouseException("Synthetic PACS generation interrupted", e);
      } finally {
        pool.shutdownNow();
      }
      List<String> parquet =
          LinkedTables.write(plan, out.resolve(GroundTruth.LINKED_DIR), options.parquet());
      Path gt = out.resolve(GroundTruth.GROUND_TRUTH_DIR);
      Files.createDirectories(gt);
      ObjectWriter line = GroundTruth.JSON.writer();
      long dicom = 0;
      long junk = 0;
      long frames = 0;
      long boxes = 0;
      long series = 0;
      Map<JunkKind, Long> junkKinds = new EnumMap<>(JunkKind.class);
      Map<String, Long> modalities = new TreeMap<>();
      List<GroundTruth.FileEntry> all = new ArrayList<>();
      try (BufferedWriter w =
          Files.newBufferedWriter(gt.resolve(GroundTruth.FILES_JSONL), StandardCharsets.UTF_8)) {
        for (List<GroundTruth.FileEntry> entries : perStudy) {
          for (GroundTruth.FileEntry e : entries) {
            w.write(line.writeValueAsString(e));
            w.write('\n');
            all.add(e);
            if (e.junkKind() == null) {
              dicom++;
              frames += e.frames();
            } else {
              junk++;
              junkKinds.merge(e.junkKind(), 1L, Long::sum);
            }
            boxes += e.burnedInText().size();
          }
        }
      }
      for (StudyPlan s : plan.studies) {
        modalities.merge(s.modality, 1L, Long::sum);
        series += s.series.size();
      }
      try (BufferedWriter w =
          Files.newBufferedWriter(gt.resolve(GroundTruth.PATIENTS_JSONL), StandardCharsets.UTF_8)) {
        for (PatientPlan p : plan.patients) {
          w.write(line.writeValueAsString(p.toGroundTruth()));
          w.write('\n');
        }
      }
      GroundTruth.Expected expected = expected(plan);
      GroundTruth.JSON
          .writerWithDefaultPrettyPrinter()
          .writeValue(gt.resolve(GroundTruth.EXPECTED_JSON).toFile(), expected);
      Map<String, Long> junkByName = new LinkedHashMap<>();
      junkKinds.forEach((k, v) -> junkByName.put(k.name(), v));
      long millis = (System.nanoTime() - t0) / 1_000_000;
      Summary summary =
          new Summary(
              out,
              plan.patients.size(),
              plan.studies.size(),
              series,
              dicom,
              junk,
              bytes,
              frames,
              boxes,
              modalities,
              junkByName,
              parquet,
              millis);
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("options", options.toString());
      json.put("patients", summary.patients());
      json.put("studies", summary.studies());
      json.put("series", summary.series());
      json.put("dicomFiles", summary.dicomFiles());
      json.put("junkFiles", summary.junkFiles());
      json.put("frames", summary.frames());
      json.put("burnedInBoxes", summary.burnedInBoxes());
      json.put("studiesByModality", summary.studiesByModality());
      json.put("junkByKind", summary.junkByKind());
      json.put("parquetTables", summary.parquetTables());
      GroundTruth.JSON
          .writerWithDefaultPrettyPrinter()
          .writeValue(gt.resolve(GroundTruth.SUMMARY_JSON).toFile(), json);
      return summary;
    } catch (IOException e) {
      throw new LakehouseException(
          "Cannot write the synthetic PACS to " + out + ": " + e.getMessage(), e);
    }
  }

  // ------------------------------------------------------------------ expected cohorts

  private static boolean linkable(PatientPlan p) {
    return p.idStatus.equals("VALID") && p.eupi != null;
  }

  private static GroundTruth.Expected expected(Plan plan) {
    Map<String, GroundTruth.Cohort> cohorts = new LinkedHashMap<>();
    cohorts.put(
        "glioblastoma",
        cohort(
            plan,
            "Patients with a glioblastoma (ICD-10 C71.x, morphology 9440/3) in SMR06; studies: all their brain MR studies",
            p -> p.gbmDiagnosis != null,
            (p, s) -> isBrainMr(s)));
    cohorts.put(
        "glioblastoma_brain_mr_before_diagnosis",
        cohort(
            plan,
            "Glioblastoma patients with a brain MR study before the diagnosis date; studies: those pre-diagnosis brain MR studies",
            p ->
                p.gbmDiagnosis != null
                    && plan.studies.stream()
                        .anyMatch(
                            s -> s.patient == p && isBrainMr(s) && s.date.isBefore(p.gbmDiagnosis)),
            (p, s) -> isBrainMr(s) && s.date.isBefore(p.gbmDiagnosis)));
    cohorts.put(
        "glioblastoma_brain_mr_after_diagnosis",
        cohort(
            plan,
            "Glioblastoma patients with a brain MR study after the diagnosis date; studies: those post-diagnosis brain MR studies",
            p ->
                p.gbmDiagnosis != null
                    && plan.studies.stream()
                        .anyMatch(
                            s -> s.patient == p && isBrainMr(s) && s.date.isAfter(p.gbmDiagnosis)),
            (p, s) -> isBrainMr(s) && s.date.isAfter(p.gbmDiagnosis)));
    cohorts.put(
        "gabapentin",
        cohort(
            plan,
            "Patients with at least one gabapentin prescription (BNF 0408010G0); studies: all their studies",
            p -> p.gabapentin,
            (p, s) -> true));
    cohorts.put(
        "gabapentin_brain_mr",
        cohort(
            plan,
            "Patients prescribed gabapentin who have a brain MR study (any date); studies: their brain MR studies",
            p ->
                p.gabapentin && plan.studies.stream().anyMatch(s -> s.patient == p && isBrainMr(s)),
            (p, s) -> isBrainMr(s)));
    cohorts.put(
        "brain_mr",
        cohort(
            plan,
            "Patients with a brain MR study (ground-truth region BRAIN, modality MR, whatever the description says); studies: those studies",
            p -> plan.studies.stream().anyMatch(s -> s.patient == p && isBrainMr(s)),
            (p, s) -> isBrainMr(s)));
    Map<String, Long> counts = new LinkedHashMap<>();
    counts.put("patients", (long) plan.patients.size());
    counts.put(
        "patients_valid_chi",
        plan.patients.stream().filter(p -> p.idStatus.equals("VALID")).count());
    counts.put(
        "patients_invalid_chi",
        plan.patients.stream().filter(p -> p.idStatus.equals("INVALID")).count());
    counts.put(
        "patients_missing_chi",
        plan.patients.stream().filter(p -> p.idStatus.equals("MISSING")).count());
    counts.put(
        "patients_missing_from_eupi_mapping",
        plan.patients.stream().filter(p -> p.eupi == null).count());
    counts.put("chi_eupi_rows", (long) plan.chiEupi.size());
    counts.put("smr06_rows", (long) plan.smr06.size());
    counts.put("prescribing_rows", (long) plan.prescribing.size());
    counts.put("studies", (long) plan.studies.size());
    return new GroundTruth.Expected(cohorts, counts);
  }

  private static boolean isBrainMr(StudyPlan s) {
    return s.modality.equals("MR") && s.region.equals("BRAIN");
  }

  private static GroundTruth.Cohort cohort(
      Plan plan,
      String description,
      java.util.function.Predicate<PatientPlan> member,
      java.util.function.BiPredicate<PatientPlan, StudyPlan> study) {
    Set<String> chis = new LinkedHashSet<>();
    Set<String> linkable = new LinkedHashSet<>();
    List<String> studies = new ArrayList<>();
    List<String> linkableStudies = new ArrayList<>();
    for (PatientPlan p : plan.patients) {
      if (member.test(p)) {
        chis.add(p.chi);
        if (linkable(p)) {
          linkable.add(p.chi);
        }
      }
    }
    for (StudyPlan s : plan.studies) {
      if (chis.contains(s.patient.chi) && study.test(s.patient, s)) {
        studies.add(s.studyUid);
        if (linkable(s.patient)) {
          linkableStudies.add(s.studyUid);
        }
      }
    }
    return new GroundTruth.Cohort(
        description, List.copyOf(chis), List.copyOf(linkable), studies, linkableStudies);
  }
}
