package org.imaginglakehouse.synth;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.imaginglakehouse.core.Preconditions;

/**
 * Everything that shapes a synthetic archive. Immutable; build with {@link #builder()}. The same
 * options and seed always give byte-identical output, whatever the thread count.
 */
public final class SynthOptions {

  /** Directory layout of the DICOM tree under {@code <out>/dicom}. */
  public enum Layout {
    /** All files in one directory: {@code dicom/IM00000001.dcm}. */
    FLAT,
    /** PACS layout {@code dicom/YYYY/MM/DD/ACCESSION/<series>/<instance>.dcm}. */
    PACS,
    /** One zip per study: {@code dicom/YYYY/MM/DD/ACCESSION.zip!<series>/<instance>.dcm}. */
    ZIP
  }

  /** Pixel matrix sizes: tiny for million-file runs, full for pixel and OCR work. */
  public enum PixelSize {
    /** About 1/16 of the real matrix (CT 32x32, US 80x60); burned-in text mostly too small. */
    TINY(16),
    /** About 1/4 of the real matrix (CT 128x128, US 320x240). */
    SMALL(4),
    /** Real sizes: CT 512x512, MR 256x256, US 640x480, CR 1024x1024. */
    FULL(1);

    final int divisor;

    PixelSize(int divisor) {
      this.divisor = divisor;
    }
  }

  /** The default study-level modality mix (relative weights), ordered as in the SMI archive. */
  public static final Map<String, Double> DEFAULT_MODALITY_MIX;

  static {
    Map<String, Double> m = new LinkedHashMap<>();
    m.put("CT", 30.0);
    m.put("MR", 18.0);
    m.put("CR", 14.0);
    m.put("DX", 6.0);
    m.put("US", 10.0);
    m.put("PT", 3.0);
    m.put("MG", 3.0);
    m.put("XA", 3.0);
    m.put("RF", 3.0);
    m.put("NM", 2.0);
    m.put("SC", 3.0);
    m.put("OT", 1.0);
    m.put("SR", 4.0);
    DEFAULT_MODALITY_MIX = Collections.unmodifiableMap(m);
  }

  /** Default series-level ImageType mix ORIGINAL\PRIMARY : LOCALIZER : DERIVED\SECONDARY. */
  public static final double[] DEFAULT_IMAGE_TYPE_MIX = {0.90, 0.05, 0.05};

  private final int patients;
  private final long seed;
  private final Layout layout;
  private final PixelSize pixelSize;
  private final double imagesScale;
  private final double studiesPerPatient;
  private final double junkRate;
  private final double invalidChiRate;
  private final double missingChiRate;
  private final double burnedInRate;
  private final int threads;
  private final int firstYear;
  private final int lastYear;
  private final boolean parquet;
  private final Map<String, Double> modalityMix;

  private SynthOptions(Builder b) {
    this.patients = b.patients;
    this.seed = b.seed;
    this.layout = b.layout;
    this.pixelSize = b.pixelSize;
    this.imagesScale = b.imagesScale;
    this.studiesPerPatient = b.studiesPerPatient;
    this.junkRate = b.junkRate;
    this.invalidChiRate = b.invalidChiRate;
    this.missingChiRate = b.missingChiRate;
    this.burnedInRate = b.burnedInRate;
    this.threads = b.threads;
    this.firstYear = b.firstYear;
    this.lastYear = b.lastYear;
    this.parquet = b.parquet;
    this.modalityMix = Collections.unmodifiableMap(new LinkedHashMap<>(b.modalityMix));
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A builder pre-filled with these options. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.patients = patients;
    b.seed = seed;
    b.layout = layout;
    b.pixelSize = pixelSize;
    b.imagesScale = imagesScale;
    b.studiesPerPatient = studiesPerPatient;
    b.junkRate = junkRate;
    b.invalidChiRate = invalidChiRate;
    b.missingChiRate = missingChiRate;
    b.burnedInRate = burnedInRate;
    b.threads = threads;
    b.firstYear = firstYear;
    b.lastYear = lastYear;
    b.parquet = parquet;
    b.modalityMix = new LinkedHashMap<>(modalityMix);
    return b;
  }

  public int patients() {
    return patients;
  }

  public long seed() {
    return seed;
  }

  public Layout layout() {
    return layout;
  }

  public PixelSize pixelSize() {
    return pixelSize;
  }

  /** Multiplier on images per series (and cine frames); 1.0 = realistic-but-small defaults. */
  public double imagesScale() {
    return imagesScale;
  }

  public double studiesPerPatient() {
    return studiesPerPatient;
  }

  /** Junk files per DICOM file written (every junk kind appears at least once when &gt; 0). */
  public double junkRate() {
    return junkRate;
  }

  public double invalidChiRate() {
    return invalidChiRate;
  }

  public double missingChiRate() {
    return missingChiRate;
  }

  /** Share of US and SC/OT images carrying burned-in text (CR/DX get a tenth of it). */
  public double burnedInRate() {
    return burnedInRate;
  }

  public int threads() {
    return threads;
  }

  public int firstYear() {
    return firstYear;
  }

  public int lastYear() {
    return lastYear;
  }

  public boolean parquet() {
    return parquet;
  }

  public Map<String, Double> modalityMix() {
    return modalityMix;
  }

  @Override
  public String toString() {
    return "SynthOptions{patients="
        + patients
        + ", seed="
        + seed
        + ", layout="
        + layout
        + ", pixelSize="
        + pixelSize
        + ", imagesScale="
        + imagesScale
        + ", studiesPerPatient="
        + studiesPerPatient
        + ", junkRate="
        + junkRate
        + ", invalidChiRate="
        + invalidChiRate
        + ", missingChiRate="
        + missingChiRate
        + ", burnedInRate="
        + burnedInRate
        + ", years="
        + firstYear
        + "-"
        + lastYear
        + ", parquet="
        + parquet
        + ", modalityMix="
        + modalityMix
        + "}";
  }

  /** Builder with documented defaults (see docs/synthetic-pacs.md). */
  public static final class Builder {
    private int patients = 50;
    private long seed = 1;
    private Layout layout = Layout.PACS;
    private PixelSize pixelSize = PixelSize.SMALL;
    private double imagesScale = 1.0;
    private double studiesPerPatient = 2.5;
    private double junkRate = 0.01;
    private double invalidChiRate = 0.02;
    private double missingChiRate = 0.01;
    private double burnedInRate = 0.6;
    private int threads = Runtime.getRuntime().availableProcessors();
    private int firstYear = 2010;
    private int lastYear = 2018;
    private boolean parquet = true;
    private Map<String, Double> modalityMix = new LinkedHashMap<>(DEFAULT_MODALITY_MIX);

    public Builder patients(int v) {
      patients = v;
      return this;
    }

    public Builder seed(long v) {
      seed = v;
      return this;
    }

    public Builder layout(Layout v) {
      layout = v;
      return this;
    }

    public Builder pixelSize(PixelSize v) {
      pixelSize = v;
      return this;
    }

    public Builder imagesScale(double v) {
      imagesScale = v;
      return this;
    }

    public Builder studiesPerPatient(double v) {
      studiesPerPatient = v;
      return this;
    }

    public Builder junkRate(double v) {
      junkRate = v;
      return this;
    }

    public Builder invalidChiRate(double v) {
      invalidChiRate = v;
      return this;
    }

    public Builder missingChiRate(double v) {
      missingChiRate = v;
      return this;
    }

    public Builder burnedInRate(double v) {
      burnedInRate = v;
      return this;
    }

    public Builder threads(int v) {
      threads = v;
      return this;
    }

    public Builder years(int first, int last) {
      firstYear = first;
      lastYear = last;
      return this;
    }

    public Builder parquet(boolean v) {
      parquet = v;
      return this;
    }

    /**
     * Relative study weights by modality (keys from {@link #DEFAULT_MODALITY_MIX}). The order of
     * the entries steers the random draws, so a map without a defined order ({@code Map.of}, a
     * {@code HashMap}) is taken in key order: the same seed then gives the same PACS in every JVM.
     */
    public Builder modalityMix(Map<String, Double> v) {
      boolean ordered = v instanceof LinkedHashMap || v instanceof java.util.SortedMap;
      modalityMix =
          ordered ? new LinkedHashMap<>(v) : new LinkedHashMap<>(new java.util.TreeMap<>(v));
      return this;
    }

    public SynthOptions build() {
      Preconditions.checkArgument(
          patients >= 1, "--patients must be at least 1 (got %d)", patients);
      Preconditions.checkArgument(
          imagesScale > 0 && imagesScale <= 100,
          "--images-scale must be in (0, 100] (got %s)",
          imagesScale);
      Preconditions.checkArgument(
          studiesPerPatient > 0 && studiesPerPatient <= 50,
          "--studies-per-patient must be in (0, 50] (got %s)",
          studiesPerPatient);
      for (double r : new double[] {junkRate, invalidChiRate, missingChiRate, burnedInRate}) {
        Preconditions.checkArgument(
            r >= 0 && r <= 1, "rates must be between 0 and 1 (got %s); use e.g. 0.02", r);
      }
      Preconditions.checkArgument(
          invalidChiRate + missingChiRate < 0.5,
          "--invalid-chi-rate + --missing-chi-rate must stay below 0.5");
      Preconditions.checkArgument(threads >= 1, "--threads must be at least 1 (got %d)", threads);
      Preconditions.checkArgument(
          firstYear >= 1990 && lastYear >= firstYear && lastYear <= 2030,
          "years must satisfy 1990 <= first <= last <= 2030 (got %d-%d)",
          firstYear,
          lastYear);
      for (Map.Entry<String, Double> e : modalityMix.entrySet()) {
        Preconditions.checkArgument(
            DEFAULT_MODALITY_MIX.containsKey(e.getKey()),
            "Unknown modality %s in the modality mix; use any of %s",
            e.getKey(),
            DEFAULT_MODALITY_MIX.keySet());
        Preconditions.checkArgument(
            e.getValue() >= 0, "modality weight for %s must be >= 0", e.getKey());
      }
      Preconditions.checkArgument(
          modalityMix.values().stream().mapToDouble(Double::doubleValue).sum() > 0,
          "the modality mix needs at least one positive weight");
      return new SynthOptions(this);
    }
  }
}
