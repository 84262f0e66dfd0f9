package org.imaginglakehouse.transform.ocr;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.imaginglakehouse.synth.GroundTruth;
import org.imaginglakehouse.synth.SynthOptions;
import org.imaginglakehouse.synth.SyntheticPacs;
import org.imaginglakehouse.transform.pixel.PixelDescriptor;
import org.imaginglakehouse.transform.testing.FileDescriptors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * OCR accuracy on the synthetic PACS ground truth (30 patients in CI, the sample docs/benchmarks.md
 * reports; {@code -Dpixel.accuracy.patients} for a bigger one, {@code -Dpixel.accuracy.seed} for
 * another PACS): image-level recall of burned-in text ≥ 12 px, recall of matches_patient_identity
 * on planted identity text, and false positives per modality on text-free images. Writes the
 * figures to target/ocr-accuracy.txt.
 */
class OcrAccuracyTest {
  @TempDir Path dir;

  @Test
  void recallAndFalsePositivesOnSyntheticGroundTruth() throws Exception {
    int patients = Integer.getInteger("pixel.accuracy.patients", 30);
    Path out = dir.resolve("pacs");
    SyntheticPacs.generate(
        out,
        SynthOptions.builder()
            .patients(patients)
            .seed(Long.getLong("pixel.accuracy.seed", 23))
            .imagesScale(0.03)
            .pixelSize(SynthOptions.PixelSize.FULL)
            .burnedInRate(0.8)
            .modalityMix(Map.of("US", 0.35, "SC", 0.2, "OT", 0.1, "CT", 0.15, "MR", 0.1, "DX", 0.1))
            .junkRate(0)
            .threads(2)
            .build());
    GroundTruth gt = GroundTruth.read(out);
    OcrRunner runner = new OcrRunner(OcrSettings.defaults());
    int withText = 0;
    int textFound = 0;
    int identityPlanted = 0;
    int identityFound = 0;
    Map<String, int[]> falsePositives = new TreeMap<>(); // modality -> {images, flagged}
    int maxTextFree = Integer.getInteger("pixel.accuracy.text-free-per-modality", 3);
    List<String> misses = new ArrayList<>();
    for (GroundTruth.FileEntry f : gt.instances()) {
      if (f.isJunk()) {
        continue;
      }
      List<GroundTruth.TextBox> boxes = f.burnedInText() == null ? List.of() : f.burnedInText();
      boolean readable = boxes.stream().anyMatch(b -> b.textHeight() >= 12);
      if (!boxes.isEmpty() && !readable) {
        continue; // text below 12 px: not part of the target
      }
      if (boxes.isEmpty()) {
        int[] fp = falsePositives.computeIfAbsent(f.modality(), m -> new int[2]);
        if (fp[0] >= maxTextFree) {
          continue;
        }
        fp[0]++;
      }
      PixelDescriptor d = FileDescriptors.of(gt.root(), f.path());
      OcrOutcome outcome = runner.run(d);
      Map<String, List<String>> lines = new TreeMap<>();
      for (OcrOutcome.FoundWord w : outcome.words()) {
        lines
            .computeIfAbsent(
                w.source() + w.frame() + w.pass() + "|" + w.word().line(), k -> new ArrayList<>())
            .add(w.word().text());
      }
      Set<String> identity =
          IdentityMatcher.of(
                  f.patientName(), f.patientId(), f.patientBirthDate(), f.accessionNumber())
              .match(lines);
      boolean flagged = outcome.status().equals(OcrOutcome.TEXT) || !identity.isEmpty();
      if (boxes.isEmpty()) {
        if (flagged) {
          falsePositives.get(f.modality())[1]++;
          misses.add("false positive " + f.modality() + " " + f.path() + " read " + lines.values());
        }
        continue;
      }
      withText++;
      if (flagged) {
        textFound++;
      } else {
        misses.add(
            f.modality()
                + " "
                + f.path()
                + " "
                + outcome.status()
                + " "
                + outcome.reason()
                + " "
                + boxes);
      }
      boolean planted =
          boxes.stream()
              .anyMatch(
                  b ->
                      b.textHeight() >= 12
                          && Set.of("NAME", "CHI", "BIRTH_DATE").contains(b.kind()));
      if (planted) {
        identityPlanted++;
        if (!identity.isEmpty()) {
          identityFound++;
        } else {
          misses.add(
              "identity "
                  + f.modality()
                  + " "
                  + f.path()
                  + " "
                  + boxes
                  + " read "
                  + lines.values());
        }
      }
    }
    StringBuilder report = new StringBuilder();
    report.append(
        String.format(
            Locale.ROOT,
            "seed %d, %d patients%n",
            Long.getLong("pixel.accuracy.seed", 23),
            patients));
    report.append(
        String.format(
            Locale.ROOT,
            "images with text >= 12 px: %d, flagged %d (recall %.3f)%n",
            withText,
            textFound,
            withText == 0 ? 0 : textFound / (double) withText));
    report.append(
        String.format(
            Locale.ROOT,
            "images with planted identity: %d, matched %d (recall %.3f)%n",
            identityPlanted,
            identityFound,
            identityPlanted == 0 ? 0 : identityFound / (double) identityPlanted));
    falsePositives.forEach(
        (m, v) ->
            report.append(
                String.format(
                    Locale.ROOT, "text-free %s: %d images, %d flagged%n", m, v[0], v[1])));
    misses.forEach(m -> report.append("miss: ").append(m).append('\n'));
    Files.createDirectories(Path.of("target"));
    Files.writeString(Path.of("target", "ocr-accuracy.txt"), report);
    System.out.print(report);
    assertThat(withText).isGreaterThan(0);
    assertThat(textFound / (double) withText).isGreaterThanOrEqualTo(0.99);
    assertThat(identityPlanted).isGreaterThan(0);
    assertThat(identityFound / (double) identityPlanted).isGreaterThanOrEqualTo(0.95);
  }
}
