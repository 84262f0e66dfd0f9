package org.imaginglakehouse.extract.tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.imaginglakehouse.transform.features.SeriesGeometry;

/**
 * Decides whether a series' frames are one regular volume and in which order they stack (plain
 * Java). The geometry verdict is {@code lakehouse features}' {@link SeriesGeometry}: mixed
 * orientation and repeated positions are not one volume and are never stacked; neither are frames
 * of different size or pixel spacing, slices that do not line up along the slice normal (a tilted
 * gantry's sheared stack), or several images without positions. Gaps split a series into one volume
 * per run of evenly spaced slices.
 */
public final class VolumeBuilder {
  /** Largest volume written (elements): one Arrow record batch, one file under 2 GiB. */
  public static final long MAX_ELEMENTS = 400_000_000L;

  /** Two orientations (direction cosines) closer than this are the same. */
  static final double ORIENTATION_TOLERANCE = 1e-3;

  /** Slices whose positions stray further than this (mm) from the normal line are not stacked. */
  static final double IN_PLANE_TOLERANCE_MM = 0.1;

  private VolumeBuilder() {}

  /**
   * The volumes of a series' frames: one, or several when the slices have gaps (a slice missing,
   * e.g. rejected by the extract): each run of evenly spaced slices is then a volume of its own.
   */
  public static List<VolumePlan> plan(List<FrameInfo> frames) throws VolumeException {
    if (frames.isEmpty()) {
      throw new VolumeException(VolumeException.UNDECODABLE, "no frames");
    }
    FrameInfo first = frames.get(0);
    for (FrameInfo f : frames) {
      if (f.rows() != first.rows()
          || f.columns() != first.columns()
          || f.channels() != first.channels()) {
        throw new VolumeException(
            VolumeException.MIXED_SIZE, "frames differ in rows, columns or samples per pixel");
      }
      if (!sameSpacing(first.pixelSpacing(), f.pixelSpacing())) {
        throw new VolumeException(VolumeException.MIXED_SPACING, "frames differ in PixelSpacing");
      }
    }
    long elements = (long) frames.size() * first.rows() * first.columns() * first.channels();
    if (elements > MAX_ELEMENTS) {
      throw new VolumeException(
          VolumeException.TOO_LARGE, elements + " voxels, more than " + MAX_ELEMENTS);
    }
    long positioned = frames.stream().filter(FrameInfo::positioned).count();
    if (positioned == 0) {
      long images = frames.stream().map(FrameInfo::sopInstanceUid).distinct().count();
      if (images > 1) {
        throw new VolumeException(
            VolumeException.NO_GEOMETRY,
            images
                + " images without ImagePositionPatient/ImageOrientationPatient: no slice order");
      }
      List<FrameInfo> ordered = new ArrayList<>(frames);
      ordered.sort(Comparator.comparingInt(FrameInfo::frameNumber));
      return List.of(stack(ordered, null, null, null, VolumePlan.FRAMES));
    }
    if (positioned < frames.size()) {
      throw new VolumeException(
          VolumeException.PARTIAL_GEOMETRY,
          (frames.size() - positioned) + " of " + frames.size() + " frames have no position");
    }
    verdict(frames);
    double[] orientation = first.orientation();
    double[] n = normal(orientation);
    List<FrameInfo> ordered = new ArrayList<>(frames);
    ordered.sort(Comparator.comparingDouble(f -> dot(n, f.position())));
    double step = Double.MAX_VALUE;
    for (int i = 1; i < ordered.size(); i++) {
      step = Math.min(step, gap(n, ordered.get(i - 1), ordered.get(i)));
    }
    double tolerance = Math.max(0.1, 0.05 * step);
    List<VolumePlan> out = new ArrayList<>();
    int from = 0;
    for (int i = 1; i <= ordered.size(); i++) {
      if (i == ordered.size() || gap(n, ordered.get(i - 1), ordered.get(i)) > step + tolerance) {
        out.add(stack(ordered.subList(from, i), orientation, n, first.pixelSpacing(), null));
        from = i;
      }
    }
    return out;
  }

  private static double gap(double[] n, FrameInfo a, FrameInfo b) {
    return dot(n, b.position()) - dot(n, a.position());
  }

  /** One volume of frames in slice order ({@code n} null: frames without geometry). */
  private static VolumePlan stack(
      List<FrameInfo> ordered,
      double[] orientation,
      double[] n,
      double[] pixelSpacing,
      String geometry)
      throws VolumeException {
    FrameInfo first = ordered.get(0);
    double[] positions = null;
    double[] origin = null;
    Double sliceSpacing = null;
    if (n != null) {
      positions = new double[ordered.size()];
      for (int i = 0; i < positions.length; i++) {
        positions[i] = dot(n, ordered.get(i).position());
      }
      origin = first.position().clone();
      for (FrameInfo f : ordered) {
        double along = dot(n, f.position()) - positions[0];
        for (int a = 0; a < 3; a++) {
          if (Math.abs(f.position()[a] - (origin[a] + along * n[a])) > IN_PLANE_TOLERANCE_MM) {
            throw new VolumeException(
                VolumeException.NOT_ALONG_NORMAL,
                "slice positions do not line up along the slice normal (sheared stack)");
          }
        }
      }
      if (positions.length > 1) {
        sliceSpacing = (positions[positions.length - 1] - positions[0]) / (positions.length - 1);
      }
    }
    double[] spacing = n == null ? first.pixelSpacing() : pixelSpacing;
    return new VolumePlan(
        List.copyOf(ordered),
        positions,
        acquisitionIndex(ordered),
        type(ordered),
        first.rows(),
        first.columns(),
        first.channels(),
        orientation,
        spacing != null && spacing.length == 2 ? spacing : null,
        sliceSpacing,
        origin,
        geometry == null ? VolumePlan.VOLUME : geometry);
  }

  /** {@code lakehouse features}' series geometry on the frames, as a reason not to stack them. */
  private static void verdict(List<FrameInfo> frames) throws VolumeException {
    List<SeriesGeometry.Slice> slices = new ArrayList<>();
    for (FrameInfo f : frames) {
      slices.add(new SeriesGeometry.Slice(f.position(), f.orientation(), null, 1));
    }
    SeriesGeometry.Result g = SeriesGeometry.compute(slices);
    if ("MIXED".equals(g.orientation())) {
      throw new VolumeException(
          VolumeException.MIXED_ORIENTATION, "frames differ in ImageOrientationPatient");
    }
    if (g.maxRepeats() > 1) {
      throw new VolumeException(
          VolumeException.REPEATED_POSITIONS,
          g.positionedInstances()
              + " frames at "
              + g.distinctPositions()
              + " positions (repeated acquisitions or phases)");
    }
  }

  /** Rank of each frame (in slice order) by InstanceNumber, then SOP instance, then frame. */
  private static int[] acquisitionIndex(List<FrameInfo> ordered) {
    Integer[] idx = new Integer[ordered.size()];
    for (int i = 0; i < idx.length; i++) {
      idx[i] = i;
    }
    Comparator<FrameInfo> acquisition =
        Comparator.comparing(
                FrameInfo::instanceNumber, Comparator.nullsLast(Comparator.naturalOrder()))
            .thenComparing(FrameInfo::sopInstanceUid)
            .thenComparingInt(FrameInfo::frameNumber);
    Arrays.sort(idx, (a, b) -> acquisition.compare(ordered.get(a), ordered.get(b)));
    int[] rank = new int[idx.length];
    for (int r = 0; r < idx.length; r++) {
      rank[idx[r]] = r;
    }
    return rank;
  }

  /** The smallest element type for every frame's values after rescale. */
  static VoxelType type(List<FrameInfo> frames) {
    double lo = Double.POSITIVE_INFINITY;
    double hi = Double.NEGATIVE_INFINITY;
    boolean integral = true;
    for (FrameInfo f : frames) {
      double a = f.minStored() * f.slope() + f.intercept();
      double b = f.maxStored() * f.slope() + f.intercept();
      lo = Math.min(lo, Math.min(a, b));
      hi = Math.max(hi, Math.max(a, b));
      integral &= f.slope() == Math.rint(f.slope()) && f.intercept() == Math.rint(f.intercept());
    }
    return VoxelType.choose(lo, hi, integral);
  }

  static double[] normal(double[] o) {
    double[] n = {o[1] * o[5] - o[2] * o[4], o[2] * o[3] - o[0] * o[5], o[0] * o[4] - o[1] * o[3]};
    double len = Math.sqrt(dot(n, n));
    if (len > 0) {
      for (int i = 0; i < 3; i++) {
        n[i] /= len;
      }
    }
    return n;
  }

  static double dot(double[] a, double[] b) {
    return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
  }

  private static boolean sameSpacing(double[] a, double[] b) {
    if (a == null || b == null) {
      return a == b;
    }
    if (a.length != b.length) {
      return false;
    }
    for (int i = 0; i < a.length; i++) {
      if (Math.abs(a[i] - b[i]) > 1e-4) {
        return false;
      }
    }
    return true;
  }
}
