package org.imaginglakehouse.synth;

import java.util.SplittableRandom;

/** A generated pixel matrix: one or more frames of grey (8/16-bit) or RGB (8-bit) samples. */
final class Pixels {
  final int rows;
  final int cols;
  final int frames;
  final int samples;
  final int bitsAllocated;
  final int bitsStored;
  final String photometric;

  /** 16-bit samples, frame after frame (null for 8-bit). */
  final short[] words;

  /** 8-bit samples, frame after frame, RGB interleaved (null for 16-bit). */
  final byte[] bytes;

  Pixels(
      int rows, int cols, int frames, int samples, int bitsAllocated, int bitsStored, String pi) {
    this.rows = rows;
    this.cols = cols;
    this.frames = frames;
    this.samples = samples;
    this.bitsAllocated = bitsAllocated;
    this.bitsStored = bitsStored;
    this.photometric = pi;
    int n = rows * cols * frames * samples;
    this.words = bitsAllocated == 16 ? new short[n] : null;
    this.bytes = bitsAllocated == 8 ? new byte[n] : null;
  }

  int max() {
    return (1 << bitsStored) - 1;
  }

  /** Stored value that displays white (MONOCHROME1 is inverted). */
  int displayWhite() {
    return "MONOCHROME1".equals(photometric) ? 0 : max();
  }

  int displayBlack() {
    return "MONOCHROME1".equals(photometric) ? max() : 0;
  }

  void setGrey(int frame, int x, int y, int v) {
    if (v < 0) {
      v = 0;
    } else if (v > max()) {
      v = max();
    }
    int i = ((frame * rows + y) * cols + x) * samples;
    if (words != null) {
      words[i] = (short) v;
    } else {
      for (int s = 0; s < samples; s++) {
        bytes[i + s] = (byte) v;
      }
    }
  }

  void setRgb(int frame, int x, int y, int r, int g, int b) {
    int i = ((frame * rows + y) * cols + x) * 3;
    bytes[i] = (byte) clamp(r);
    bytes[i + 1] = (byte) clamp(g);
    bytes[i + 2] = (byte) clamp(b);
  }

  private static int clamp(int v) {
    return v < 0 ? 0 : Math.min(255, v);
  }

  int frameLength() {
    return rows * cols * samples;
  }

  // ------------------------------------------------------------------ painters

  /** CT slice in stored values (HU + 1024), z in [0,1] through the volume. */
  static void ct(Pixels p, int f, String region, double z, double contrastHu, SplittableRandom r) {
    int n = Math.min(p.rows, p.cols);
    double cx = p.cols / 2.0;
    double cy = p.rows / 2.0;
    double shrink = 1 - 0.35 * (z - 0.5) * (z - 0.5) * 4;
    boolean head = region.equals("HEAD") || region.equals("BRAIN");
    for (int y = 0; y < p.rows; y++) {
      for (int x = 0; x < p.cols; x++) {
        double hu = -1000;
        double dx = (x - cx) / n;
        double dy = (y - cy) / n;
        if (head) {
          double rr = Math.sqrt(dx * dx + dy * dy) / (0.40 * shrink);
          if (rr < 1) {
            hu = rr > 0.90 ? 1100 : 35;
            double vx = Math.abs(dx) - 0.05;
            if (rr < 0.9 && vx > 0 && vx < 0.04 && Math.abs(dy) < 0.12) {
              hu = 5; // ventricles
            }
          }
        } else {
          double e = (dx * dx) / (0.45 * 0.45 * shrink) + (dy * dy) / (0.32 * 0.32 * shrink);
          if (e < 1) {
            hu = e > 0.85 ? -100 : 40;
            if (region.equals("CHEST")) {
              double l1 = sq((dx + 0.17) / 0.14) + sq((dy + 0.02) / 0.22);
              double l2 = sq((dx - 0.17) / 0.14) + sq((dy + 0.02) / 0.22);
              if (l1 < 1 || l2 < 1) {
                hu = -850;
              }
            } else if (region.equals("ABDOMEN") && sq((dx + 0.15) / 0.17) + sq(dy / 0.15) < 1) {
              hu = 60; // liver
            }
            if (sq(dx / 0.05) + sq((dy - 0.2) / 0.05) < 1) {
              hu = 700; // vertebra
            }
            if (sq((dx - 0.04) / 0.025) + sq((dy - 0.1) / 0.025) < 1) {
              hu = 40 + contrastHu; // aorta
            }
          } else if (y > p.rows * 0.88 && y < p.rows * 0.9) {
            hu = 300; // table
          }
        }
        p.setGrey(f, x, y, (int) Math.round(hu + 1024 + 12 * Rand.gaussian(r)));
      }
    }
  }

  /** MR slice, stored values 0..4095 with T1/T2-like contrast. */
  static void mr(Pixels p, int f, String region, String kind, double z, SplittableRandom r) {
    int n = Math.min(p.rows, p.cols);
    double cx = p.cols / 2.0;
    double cy = p.rows / 2.0;
    boolean t2 = kind.startsWith("T2") || kind.equals("DWI");
    boolean swi = kind.startsWith("SWI");
    double shrink = 1 - 0.3 * sq((z - 0.5) * 2);
    for (int y = 0; y < p.rows; y++) {
      for (int x = 0; x < p.cols; x++) {
        double dx = (x - cx) / n;
        double dy = (y - cy) / n;
        double v = 0;
        double rr = Math.sqrt(sq(dx / 0.36) + sq(dy / 0.42)) / shrink;
        if (rr < 1) {
          v = rr > 0.92 ? (t2 ? 600 : 1400) : (t2 ? 900 : 1100);
          if (Math.abs(dx) < 0.06 && Math.abs(dy) < 0.14 && Math.abs(dx) > 0.015) {
            v = t2 ? 2600 : 350; // CSF
          }
          if (swi && ((x * 7 + y * 3) % 29 == 0)) {
            v = 200; // veins
          }
        }
        double noise = 25 * Math.abs(Rand.gaussian(r));
        p.setGrey(f, x, y, (int) Math.round(v + noise));
      }
    }
  }

  /** Projection radiograph (CR/DX/MG/RF/XA) in display-space intensity then stored. */
  static void radiograph(Pixels p, int f, String region, SplittableRandom r, double shift) {
    double cx = p.cols / 2.0 + shift * p.cols * 0.02;
    double cy = p.rows / 2.0;
    int max = p.max();
    for (int y = 0; y < p.rows; y++) {
      for (int x = 0; x < p.cols; x++) {
        double dx = (x - cx) / p.cols;
        double dy = (y - cy) / p.rows;
        double t = 0.05; // air: dark
        if (region.equals("BREAST")) {
          if (sq((x / (double) p.cols) / 0.7) + sq(dy / 0.45) < 1) {
            t = 0.45 + 0.1 * Math.sin(x * 0.05) * Math.cos(y * 0.07);
          }
        } else if (sq(dx / 0.42) + sq(dy / 0.48) < 1) {
          t = 0.55;
          if (region.equals("CHEST")) {
            if (sq((dx + 0.17) / 0.14) + sq((dy + 0.03) / 0.3) < 1
                || sq((dx - 0.17) / 0.14) + sq((dy + 0.03) / 0.3) < 1) {
              t = 0.22 + 0.08 * (Math.sin(y * 0.12) > 0.8 ? 1 : 0); // lungs with ribs
            }
          }
          if (Math.abs(dx) < 0.035) {
            t = 0.85; // spine / bone
          }
          if (region.equals("HEART") && Math.abs(Math.sin(dx * 30 + dy * 10 + shift)) < 0.05) {
            t = 0.9; // opacified vessel
          }
          if (region.equals("ESOPHAGUS") && Math.abs(dx - 0.02 * Math.sin(dy * 8 + shift)) < 0.02) {
            t = 0.95; // barium column
          }
        }
        double v = t + 0.03 * Rand.gaussian(r);
        int stored = (int) Math.round(v * max);
        if ("MONOCHROME1".equals(p.photometric)) {
          stored = max - stored;
        }
        p.setGrey(f, x, y, stored);
      }
    }
  }

  /** B-mode ultrasound sector with speckle; RGB variants get a colour Doppler blob. */
  static void ultrasound(Pixels p, int f, SplittableRandom r, double phase) {
    double ax = p.cols / 2.0;
    double ay = p.rows * 0.08;
    double r0 = p.rows * 0.08;
    double r1 = p.rows * 0.92;
    double half = Math.toRadians(35);
    double cystX = p.cols * (0.5 + 0.08 * Math.sin(phase));
    double cystY = p.rows * 0.55;
    for (int y = 0; y < p.rows; y++) {
      for (int x = 0; x < p.cols; x++) {
        double dx = x - ax;
        double dy = y - ay;
        double rad = Math.sqrt(dx * dx + dy * dy);
        double ang = Math.atan2(dx, dy);
        int v = 0;
        boolean inSector = rad > r0 && rad < r1 && Math.abs(ang) < half;
        if (inSector) {
          double speckle = Rand.exponential(r); // fully developed speckle
          double tissue = 0.45 + 0.2 * Math.sin(rad * 0.05);
          if (sq((x - cystX) / (p.cols * 0.09)) + sq((y - cystY) / (p.rows * 0.07)) < 1) {
            tissue = 0.05; // anechoic cyst / vessel
          }
          v = (int) Math.min(255, 30 + 140 * tissue * speckle);
        }
        if (p.samples == 3) {
          boolean doppler =
              inSector && sq((x - cystX) / (p.cols * 0.05)) + sq((y - cystY) / (p.rows * 0.04)) < 1;
          if (doppler) {
            boolean red = ((x + y + (int) (phase * 10)) / 6) % 2 == 0;
            p.setRgb(f, x, y, red ? 200 : 20, 30, red ? 20 : 210);
          } else {
            p.setRgb(f, x, y, v, v, v);
          }
        } else {
          p.setGrey(f, x, y, v);
        }
      }
    }
  }

  /** Nuclear medicine / PET: smooth hot spots on a body silhouette, counts-like 16-bit. */
  static void emission(Pixels p, int f, double z, SplittableRandom r) {
    double cx = p.cols / 2.0;
    for (int y = 0; y < p.rows; y++) {
      for (int x = 0; x < p.cols; x++) {
        double dx = (x - cx) / p.cols;
        double dy = (y - p.rows / 2.0) / p.rows;
        double v = 0;
        if (sq(dx / 0.3) + sq(dy / 0.45) < 1) {
          v = 200;
        }
        v += 2500 * Math.exp(-(sq(dx - 0.05) + sq(dy + 0.1 - 0.1 * z)) / 0.002); // heart
        v += 3000 * Math.exp(-(sq(dx) + sq(dy - 0.35)) / 0.003); // bladder
        v += 1500 * Math.exp(-(sq(dx + 0.12) + sq(dy + 0.02)) / 0.0008); // lesion
        v += 40 * Math.abs(Rand.gaussian(r)) * Math.sqrt(1 + v / 100);
        p.setGrey(f, x, y, (int) Math.round(v));
      }
    }
  }

  /** Screen capture: a UI panel with an inset image. */
  static void screen(Pixels p, int f, SplittableRandom r) {
    for (int y = 0; y < p.rows; y++) {
      for (int x = 0; x < p.cols; x++) {
        boolean panel = y < p.rows * 0.12 || x > p.cols * 0.8;
        boolean inset =
            x > p.cols * 0.1 && x < p.cols * 0.7 && y > p.rows * 0.2 && y < p.rows * 0.9;
        int v = panel ? 45 : 20;
        if (inset) {
          double dx = (x - p.cols * 0.4) / p.cols;
          double dy = (y - p.rows * 0.55) / p.rows;
          v = sq(dx / 0.2) + sq(dy / 0.25) < 1 ? 150 + r.nextInt(30) : 10;
        }
        if (p.samples == 3) {
          p.setRgb(f, x, y, v, v, panel ? v + 25 : v);
        } else {
          p.setGrey(f, x, y, v);
        }
      }
    }
  }

  private static double sq(double v) {
    return v * v;
  }
}
