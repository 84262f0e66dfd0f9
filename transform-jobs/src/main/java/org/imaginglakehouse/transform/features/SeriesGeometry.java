package org.imaginglakehouse.transform.features;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Per-series geometry from the instances' headers (plain Java): slice count, orientation, slice
 * spacing and its regularity, and whether the same volume was acquired more than once (positions
 * repeat) — the SMI paper's contrast-bolus disambiguation, combined with ContrastBolusAgent.
 */
public final class SeriesGeometry {
  /** Positions closer than this (mm, along the slice normal) are the same slice position. */
  public static final double POSITION_TOLERANCE_MM = 0.01;

  private SeriesGeometry() {}

  /** One instance's geometry; arrays may be null or short when absent. */
  public record Slice(
      double[] imagePositionPatient,
      double[] imageOrientationPatient,
      String contrastBolusAgent,
      int frames)
      implements Serializable {}

  /**
   * @param orientation AXIAL, CORONAL, SAGITTAL, OBLIQUE, MIXED (instances disagree) or null when
   *     no orientation was recorded
   * @param volumeInterpretation {@code single_volume}, {@code repeated_volume_with_contrast}
   *     (likely contrast phases / bolus tracking), {@code repeated_volume} (no agent recorded),
   *     {@code single_slice} or {@code no_geometry}
   */
  public record Result(
      int instanceCount,
      long frameCount,
      int positionedInstances,
      int distinctPositions,
      String orientation,
      Double spacingMean,
      Double spacingStd,
      Double spacingMin,
      Double spacingMax,
      Boolean spacingRegular,
      int maxRepeats,
      boolean repeatedVolume,
      boolean contrastAgentRecorded,
      String volumeInterpretation)
      implements Serializable {}

  public static Result compute(List<Slice> slices) {
    long frames = 0;
    boolean contrast = false;
    double[] orientation = null;
    boolean mixed = false;
    for (Slice s : slices) {
      frames += Math.max(1, s.frames());
      if (s.contrastBolusAgent() != null
          && !s.contrastBolusAgent().isBlank()
          && !s.contrastBolusAgent().trim().equalsIgnoreCase("NONE")) {
        contrast = true;
      }
      double[] o = s.imageOrientationPatient();
      if (o != null && o.length == 6) {
        if (orientation == null) {
          orientation = o;
        } else if (!close(orientation, o, 1e-3)) {
          mixed = true;
        }
      }
    }
    String label = orientation == null ? null : mixed ? "MIXED" : label(orientation);
    List<Double> positions = new ArrayList<>();
    if (orientation != null) {
      double[] n = normal(orientation);
      for (Slice s : slices) {
        double[] p = s.imagePositionPatient();
        if (p != null && p.length == 3) {
          positions.add(p[0] * n[0] + p[1] * n[1] + p[2] * n[2]);
        }
      }
    }
    TreeMap<Long, Integer> counts = new TreeMap<>();
    for (double d : positions) {
      counts.merge(Math.round(d / POSITION_TOLERANCE_MM), 1, Integer::sum);
    }
    int maxRepeats = counts.values().stream().mapToInt(Integer::intValue).max().orElse(0);
    long repeatedPositions = counts.values().stream().filter(c -> c >= 2).count();
    boolean repeated =
        counts.size() >= 2 && maxRepeats >= 2 && repeatedPositions >= 0.8 * counts.size();
    Double mean = null;
    Double std = null;
    Double min = null;
    Double max = null;
    Boolean regular = null;
    if (counts.size() >= 2) {
      List<Double> distinct = new ArrayList<>();
      for (Map.Entry<Long, Integer> e : counts.entrySet()) {
        distinct.add(e.getKey() * POSITION_TOLERANCE_MM);
      }
      double s = 0;
      double ss = 0;
      min = Double.MAX_VALUE;
      max = 0.0;
      for (int i = 1; i < distinct.size(); i++) {
        double gap = distinct.get(i) - distinct.get(i - 1);
        s += gap;
        ss += gap * gap;
        min = Math.min(min, gap);
        max = Math.max(max, gap);
      }
      int g = distinct.size() - 1;
      mean = s / g;
      std = Math.sqrt(Math.max(0, ss / g - mean * mean));
      regular = max - min <= Math.max(0.1, 0.05 * mean);
    }
    String interpretation;
    if (positions.isEmpty()) {
      interpretation = "no_geometry";
    } else if (counts.size() == 1 && positions.size() == 1) {
      interpretation = "single_slice";
    } else if (repeated || (counts.size() == 1 && positions.size() > 1)) {
      interpretation = contrast ? "repeated_volume_with_contrast" : "repeated_volume";
    } else {
      interpretation = "single_volume";
    }
    boolean repeatedVolume = interpretation.startsWith("repeated_volume");
    return new Result(
        slices.size(),
        frames,
        positions.size(),
        counts.size(),
        label,
        mean,
        std,
        min,
        max,
        regular,
        maxRepeats,
        repeatedVolume,
        contrast,
        interpretation);
  }

  static double[] normal(double[] o) {
    return new double[] {
      o[1] * o[5] - o[2] * o[4], o[2] * o[3] - o[0] * o[5], o[0] * o[4] - o[1] * o[3]
    };
  }

  /** Plane of the slice from its normal: dominant axis, or OBLIQUE when none dominates. */
  static String label(double[] o) {
    double[] n = normal(o);
    double ax = Math.abs(n[0]);
    double ay = Math.abs(n[1]);
    double az = Math.abs(n[2]);
    double len = Math.sqrt(ax * ax + ay * ay + az * az);
    if (len == 0) {
      return null;
    }
    double threshold = 0.9 * len;
    if (az >= threshold) {
      return "AXIAL";
    }
    if (ay >= threshold) {
      return "CORONAL";
    }
    if (ax >= threshold) {
      return "SAGITTAL";
    }
    return "OBLIQUE";
  }

  private static boolean close(double[] a, double[] b, double tol) {
    for (int i = 0; i < a.length; i++) {
      if (Math.abs(a[i] - b[i]) > tol) {
        return false;
      }
    }
    return true;
  }
}
