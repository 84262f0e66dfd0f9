package org.imaginglakehouse.extract.testing;

import java.util.LinkedHashMap;
import java.util.Map;
import org.imaginglakehouse.synth.SynthOptions;

/**
 * A small synthetic PACS for the pixel-redaction tests: ultrasound studies only (the planner still
 * adds the CT/MR studies of its cancer patients), SMALL pixels (320 × 240, text readable by OCR),
 * burned-in names, CHIs and birth dates in every image it can, no junk files.
 */
public final class UltrasoundPacs {
  private UltrasoundPacs() {}

  public static SynthOptions.Builder options(int patients, double imagesScale) {
    Map<String, Double> mix = new LinkedHashMap<>();
    for (String k : SynthOptions.DEFAULT_MODALITY_MIX.keySet()) {
      mix.put(k, 0.0);
    }
    mix.put("US", 1.0);
    return SynthOptions.builder()
        .patients(patients)
        .seed(5)
        .studiesPerPatient(1.5)
        .modalityMix(mix)
        .pixelSize(SynthOptions.PixelSize.SMALL)
        .imagesScale(imagesScale)
        .burnedInRate(1.0)
        .junkRate(0)
        .threads(1);
  }
}
