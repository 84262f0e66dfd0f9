package org.imaginglakehouse.synth;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.imaginglakehouse.core.LakehouseException;
import org.imaginglakehouse.core.cli.LakehouseCommand;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code lakehouse synth}: writes a synthetic national PACS with its ground truth. */
@Command(
    name = "synth",
    footerHeading = "%nExamples:%n",
    footer = {
      "  lakehouse synth --out /tmp/pacs --patients 200 --seed 7",
      "  lakehouse synth --out /tmp/pacs-ct --patients 50 --modality-mix CT=1 --junk-rate 0"
    },
    mixinStandardHelpOptions = true,
    description = {
      "Generate a synthetic national PACS (DICOM tree, linked CHI->EUPI / SMR06 / prescribing"
          + " tables, ground-truth manifest). Deterministic per seed. See docs/synthetic-pacs.md."
    })
public final class SynthCommand extends LakehouseCommand {
  @Option(names = "--out", required = true, description = "Output directory (new or empty).")
  Path out;

  @Option(
      names = "--patients",
      defaultValue = "50",
      description = "Patients (default ${DEFAULT-VALUE}).")
  int patients;

  @Option(
      names = "--seed",
      defaultValue = "1",
      description = "Random seed (default ${DEFAULT-VALUE}).")
  long seed;

  @Option(
      names = "--layout",
      defaultValue = "PACS",
      description =
          "FLAT, PACS (YYYY/MM/DD/ACCESSION/) or ZIP (one zip per study). Default ${DEFAULT-VALUE}.")
  String layout;

  @Option(
      names = "--pixel-size",
      defaultValue = "SMALL",
      description =
          "TINY (million-file runs), SMALL or FULL (512x512 CT, 640x480 US). Default ${DEFAULT-VALUE}.")
  String pixelSize;

  @Option(
      names = "--images-scale",
      defaultValue = "1.0",
      description = "Multiplier on images per series and cine frames.")
  double imagesScale;

  @Option(
      names = "--studies-per-patient",
      defaultValue = "2.5",
      description = "Mean random studies per patient.")
  double studiesPerPatient;

  @Option(
      names = "--junk-rate",
      defaultValue = "0.01",
      description = "Junk files per DICOM file (0 = none).")
  double junkRate;

  @Option(
      names = "--invalid-chi-rate",
      defaultValue = "0.02",
      description = "Share of patients whose files carry a wrong CHI.")
  double invalidChiRate;

  @Option(
      names = "--missing-chi-rate",
      defaultValue = "0.01",
      description = "Share of patients whose files carry no CHI.")
  double missingChiRate;

  @Option(
      names = "--burned-in-rate",
      defaultValue = "0.6",
      description = "Share of US/SC images with burned-in text (CR/DX: a tenth).")
  double burnedInRate;

  @Option(names = "--threads", description = "Worker threads (default: available processors).")
  Integer threads;

  @Option(
      names = "--years",
      defaultValue = "2010-2018",
      description = "Study years FIRST-LAST (default ${DEFAULT-VALUE}).")
  String years;

  @Option(names = "--no-parquet", description = "Write the linked tables as CSV only.")
  boolean noParquet;

  @Option(
      names = "--modality-mix",
      description = "Study weights, e.g. CT=30,MR=18,US=10 (others 0). Default: the SMI-like mix.")
  String modalityMix;

  @Override
  protected int run() {
    SynthOptions.Builder b =
        SynthOptions.builder()
            .patients(patients)
            .seed(seed)
            .layout(parseEnum(SynthOptions.Layout.class, layout, "--layout"))
            .pixelSize(parseEnum(SynthOptions.PixelSize.class, pixelSize, "--pixel-size"))
            .imagesScale(imagesScale)
            .studiesPerPatient(studiesPerPatient)
            .junkRate(junkRate)
            .invalidChiRate(invalidChiRate)
            .missingChiRate(missingChiRate)
            .burnedInRate(burnedInRate)
            .parquet(!noParquet);
    if (threads != null) {
      b.threads(threads);
    }
    String[] y = years.split("-");
    if (y.length != 2) {
      throw new LakehouseException(
          "--years must be FIRST-LAST, e.g. 2010-2018 (got " + years + ")");
    }
    try {
      b.years(Integer.parseInt(y[0].trim()), Integer.parseInt(y[1].trim()));
    } catch (NumberFormatException e) {
      throw new LakehouseException(
          "--years must be FIRST-LAST, e.g. 2010-2018 (got " + years + ")");
    }
    if (modalityMix != null) {
      b.modalityMix(parseMix(modalityMix));
    }
    SyntheticPacs.Summary s = SyntheticPacs.generate(out, b.build());
    context().out().print(s.describe());
    context().out().flush();
    return 0;
  }

  static Map<String, Double> parseMix(String spec) {
    Map<String, Double> m = new LinkedHashMap<>();
    for (String k : SynthOptions.DEFAULT_MODALITY_MIX.keySet()) {
      m.put(k, 0.0);
    }
    for (String part : spec.split(",")) {
      String[] kv = part.split("=");
      if (kv.length != 2) {
        throw new LakehouseException(
            "--modality-mix entries must look like CT=30 (got '" + part + "')");
      }
      String key = kv[0].trim().toUpperCase(Locale.ROOT);
      if (!m.containsKey(key)) {
        throw new LakehouseException(
            "Unknown modality " + key + " in --modality-mix; use any of " + m.keySet());
      }
      try {
        m.put(key, Double.parseDouble(kv[1].trim()));
      } catch (NumberFormatException e) {
        throw new LakehouseException(
            "--modality-mix weight for " + key + " is not a number: " + kv[1]);
      }
    }
    return m;
  }

  private static <E extends Enum<E>> E parseEnum(Class<E> type, String v, String option) {
    try {
      return Enum.valueOf(type, v.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new LakehouseException(
          option
              + " must be one of "
              + java.util.Arrays.toString(type.getEnumConstants())
              + " (got "
              + v
              + ")");
    }
  }
}
