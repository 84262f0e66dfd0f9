package org.imaginglakehouse.extract.report;

import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.DicomInputStream;
import com.pixelmed.display.SourceImage;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import javax.imageio.ImageIO;

/**
 * Small PNG previews of extracted images for the extraction report: the first frame, windowed to
 * its 1st–99th percentile (grey) or as stored (colour), scaled so its longest side is {@link #SIZE}
 * pixels. Made from the extracted file itself, never the source, so the report shows exactly what
 * is released; redacted images with the blacked-out regions outlined.
 */
public final class Thumbnails {
  /** Longest side of a thumbnail, in pixels. */
  public static final int SIZE = 128;

  private Thumbnails() {}

  /** A PNG of the first frame, or empty if the file holds no image PixelMed can decode. */
  public static Optional<byte[]> png(byte[] dicomFile) {
    return png(dicomFile, List.of());
  }

  /**
   * The same with {@code outlined} (x, y, width, height in the image's pixels: the regions the
   * redaction blacked out) drawn as red frames over the picture.
   */
  public static Optional<byte[]> png(byte[] dicomFile, List<int[]> outlined) {
    try {
      AttributeList list = new AttributeList();
      list.read(new DicomInputStream(new ByteArrayInputStream(dicomFile)));
      SourceImage source = new SourceImage(list);
      if (source.getNumberOfFrames() < 1 && source.getNumberOfBufferedImages() < 1) {
        return Optional.empty();
      }
      BufferedImage frame = source.getBufferedImage(0);
      if (frame == null || frame.getWidth() < 1 || frame.getHeight() < 1) {
        return Optional.empty();
      }
      BufferedImage visible =
          frame.getRaster().getNumBands() == 1 ? windowed(frame.getRaster()) : rgb(frame);
      BufferedImage small = scaled(visible);
      if (!outlined.isEmpty()) {
        small = outline(small, outlined, (double) small.getWidth() / frame.getWidth());
      }
      return Optional.of(encode(small));
    } catch (IOException | DicomException | RuntimeException e) {
      return Optional.empty(); // not an image, or a syntax PixelMed cannot decode: no thumbnail
    }
  }

  /** Grey samples mapped to 8 bits between their 1st and 99th percentile. */
  static BufferedImage windowed(Raster raster) {
    int w = raster.getWidth();
    int h = raster.getHeight();
    int[] samples = raster.getSamples(raster.getMinX(), raster.getMinY(), w, h, 0, (int[]) null);
    int[] sorted = samples.clone();
    Arrays.sort(sorted);
    int low = sorted[(int) (sorted.length * 0.01)];
    int high = sorted[Math.min(sorted.length - 1, (int) (sorted.length * 0.99))];
    double scale = high > low ? 255.0 / (high - low) : 0;
    BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
    int[] grey = new int[samples.length];
    for (int i = 0; i < samples.length; i++) {
      grey[i] = (int) Math.max(0, Math.min(255, Math.round((samples[i] - low) * scale)));
    }
    out.getRaster().setSamples(0, 0, w, h, 0, grey);
    return out;
  }

  /** Red frames around the regions (scaled by {@code factor}), on a colour copy. */
  static BufferedImage outline(BufferedImage image, List<int[]> regions, double factor) {
    BufferedImage out = rgb(image);
    java.awt.Graphics2D g = out.createGraphics();
    g.setColor(OUTLINE);
    for (int[] r : regions) {
      int x = (int) Math.floor(r[0] * factor);
      int y = (int) Math.floor(r[1] * factor);
      int w = Math.max(1, (int) Math.ceil((r[0] + r[2]) * factor) - x - 1);
      int h = Math.max(1, (int) Math.ceil((r[1] + r[3]) * factor) - y - 1);
      g.drawRect(x, y, w, h);
    }
    g.dispose();
    return out;
  }

  /** The colour of the outlines. */
  public static final java.awt.Color OUTLINE = new java.awt.Color(255, 0, 0);

  private static BufferedImage rgb(BufferedImage frame) {
    BufferedImage out =
        new BufferedImage(frame.getWidth(), frame.getHeight(), BufferedImage.TYPE_INT_RGB);
    out.createGraphics().drawImage(frame, 0, 0, null);
    return out;
  }

  /** Longest side to {@link #SIZE}: smoothed when shrinking, pixels kept sharp when enlarging. */
  static BufferedImage scaled(BufferedImage image) {
    double factor = (double) SIZE / Math.max(image.getWidth(), image.getHeight());
    int w = Math.max(1, (int) Math.round(image.getWidth() * factor));
    int h = Math.max(1, (int) Math.round(image.getHeight() * factor));
    BufferedImage out = new BufferedImage(w, h, image.getType());
    java.awt.Graphics2D g = out.createGraphics();
    g.setRenderingHint(
        RenderingHints.KEY_INTERPOLATION,
        factor < 1
            ? RenderingHints.VALUE_INTERPOLATION_BILINEAR
            : RenderingHints.VALUE_INTERPOLATION_NEAREST_NEIGHBOR);
    g.drawImage(image, 0, 0, w, h, null);
    g.dispose();
    return out;
  }

  private static byte[] encode(BufferedImage image) throws IOException {
    ByteArrayOutputStream png = new ByteArrayOutputStream();
    if (!ImageIO.write(image, "png", png)) {
      throw new IOException("no PNG writer");
    }
    return png.toByteArray();
  }
}
