package org.imaginglakehouse.extract.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;

/**
 * Renders a local HTML page in Debian's headless Chromium ({@code bin/setup --with-python} installs
 * it) and returns the screenshot, with what the browser logged to its console.
 */
public final class HeadlessChromium {
  public record Rendered(BufferedImage screenshot, String log) {}

  private HeadlessChromium() {}

  public static Rendered render(Path html, Path workDir, int width, int height) throws Exception {
    Path chromium = Path.of("/usr/bin/chromium");
    assertThat(chromium)
        .as("Chromium is needed to render report.html: run bin/setup --with-python")
        .isExecutable();
    Path png = workDir.resolve("screenshot-" + System.nanoTime() + ".png");
    Path log = workDir.resolve("chromium-" + System.nanoTime() + ".log");
    Path profile = Files.createTempDirectory(workDir, "chromium-profile");
    Process p =
        new ProcessBuilder(
                List.of(
                    chromium.toString(),
                    "--headless",
                    "--no-sandbox", // tests may run as root
                    "--disable-gpu",
                    "--hide-scrollbars",
                    "--no-first-run",
                    "--user-data-dir=" + profile,
                    "--force-device-scale-factor=1",
                    "--window-size=" + width + "," + height,
                    "--enable-logging=stderr",
                    "--v=0",
                    "--screenshot=" + png,
                    html.toUri().toString()))
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    assertThat(p.waitFor(90, TimeUnit.SECONDS)).as("chromium finished in 90 s").isTrue();
    String output = Files.readString(log, StandardCharsets.UTF_8);
    assertThat(p.exitValue()).as(output).isZero();
    assertThat(png).as(output).exists();
    // Kept for a person to look at (CI keeps target/): what the checks judged.
    Files.createDirectories(Path.of("target"));
    Files.copy(
        png,
        Path.of("target", html.getFileName() + ".png"),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    return new Rendered(ImageIO.read(png.toFile()), output);
  }

  /** Pixels of exactly {@code rgb} (0xRRGGBB). */
  public static long count(BufferedImage image, int rgb) {
    long n = 0;
    for (int y = 0; y < image.getHeight(); y++) {
      for (int x = 0; x < image.getWidth(); x++) {
        if ((image.getRGB(x, y) & 0xFFFFFF) == rgb) {
          n++;
        }
      }
    }
    return n;
  }

  /** Neutral grey pixels (r = g = b) strictly between black and white, and how many levels. */
  public static long[] greys(BufferedImage image) {
    long n = 0;
    boolean[] levels = new boolean[256];
    for (int y = 0; y < image.getHeight(); y++) {
      for (int x = 0; x < image.getWidth(); x++) {
        int c = image.getRGB(x, y);
        int r = (c >> 16) & 0xFF;
        int g = (c >> 8) & 0xFF;
        int b = c & 0xFF;
        if (r == g && g == b && r > 8 && r < 247) {
          n++;
          levels[r] = true;
        }
      }
    }
    long distinct = 0;
    for (boolean l : levels) {
      distinct += l ? 1 : 0;
    }
    return new long[] {n, distinct};
  }
}
