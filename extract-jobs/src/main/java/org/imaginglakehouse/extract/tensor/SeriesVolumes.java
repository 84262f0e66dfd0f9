package org.imaginglakehouse.extract.tensor;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One series of a released extraction becomes one volume file, or a {@code not_a_volume} reason
 * (plain Java; the Spark job calls it once per series on an executor). The files are read twice:
 * once for their geometry and value range (which decide the slice order and the element type), once
 * more, file by file in slice order, to fill the voxels; no more than one file's pixels and the
 * volume being written are in memory.
 */
public final class SeriesVolumes {
  /** Opens a released file by its path relative to the extraction. */
  @FunctionalInterface
  public interface Files {
    InputStream open(String relativePath) throws IOException;
  }

  /**
   * What became of one series.
   *
   * @param part 1-based volume of the series, {@code parts} in all (several when gaps split it)
   * @param relativePath {@code tensors/modality=<M>/<series>.arrow} ({@code <series>_part<k>.arrow}
   *     when the series has several volumes), or null when not a volume
   * @param arrow the file's bytes, or null when not a volume
   * @param plan the volume, or null when not a volume
   * @param reason a {@link VolumeException} reason when not a volume, else null
   */
  public record Outcome(
      String seriesDirectory,
      int instances,
      int part,
      int parts,
      Map<String, String> metadata,
      String relativePath,
      byte[] arrow,
      VolumePlan plan,
      String reason,
      String message) {}

  /** Directory of the volume files under an extraction. */
  public static final String TENSORS_DIR = "tensors";

  private SeriesVolumes() {}

  /**
   * Builds the volumes of the series whose released files are {@code paths} ({@code
   * <patient>/<study>/<series>/<SOP>.dcm}): one outcome per volume, or one {@code not_a_volume}.
   */
  public static List<Outcome> build(String seriesDirectory, List<String> paths, Files files)
      throws IOException {
    Map<String, String> sopToPath = new HashMap<>();
    List<FrameInfo> frames = new ArrayList<>();
    Map<String, String> metadata = null;
    try {
      for (String path : paths) {
        DicomFrames read;
        try (InputStream in = files.open(path)) {
          read = DicomFrames.read(in);
        }
        sopToPath.put(read.sopInstanceUid(), path);
        frames.addAll(read.frames());
        if (metadata == null) {
          metadata = read.metadata();
        }
      }
      List<VolumePlan> plans = VolumeBuilder.plan(frames);
      List<Outcome> out = new ArrayList<>();
      DicomFrames[] current = {null};
      for (int k = 0; k < plans.size(); k++) {
        String relative =
            TENSORS_DIR
                + "/modality="
                + partition(metadata.get("Modality"))
                + "/"
                + seriesDirectory
                + (plans.size() == 1 ? "" : "_part" + (k + 1))
                + ".arrow";
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ArrowVolumeWriter.write(
            plans.get(k),
            metadata,
            frame -> {
              if (current[0] == null
                  || !current[0].sopInstanceUid().equals(frame.sopInstanceUid())) {
                try (InputStream in = files.open(sopToPath.get(frame.sopInstanceUid()))) {
                  current[0] = DicomFrames.read(in);
                }
              }
              return current[0].stored(frame.frameNumber() - 1);
            },
            bytes);
        out.add(
            new Outcome(
                seriesDirectory,
                plans.get(k).instances(),
                k + 1,
                plans.size(),
                metadata,
                relative,
                bytes.toByteArray(),
                plans.get(k),
                null,
                null));
      }
      return out;
    } catch (VolumeException e) {
      return List.of(
          new Outcome(
              seriesDirectory,
              paths.size(),
              1,
              1,
              metadata,
              null,
              null,
              null,
              e.reason(),
              e.getMessage()));
    }
  }

  /** A Modality as a partition directory value: letters and digits only, else {@code OT}. */
  static String partition(String modality) {
    return modality != null && modality.matches("[A-Za-z0-9]{1,16}") ? modality : "OT";
  }
}
