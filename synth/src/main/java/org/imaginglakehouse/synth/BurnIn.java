package org.imaginglakehouse.synth;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.font.FontRenderContext;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.util.ArrayList;
import java.util.List;

/** Draws text into pixel data at vendor-typical positions and reports the exact boxes. */
final class BurnIn {
  private BurnIn() {}

  enum Polarity {
    WHITE_ON_BLACK,
    BLACK_ON_WHITE,
    GREY_ON_DARK
  }

  /** Text to draw and what it is (NAME, CHI, BIRTH_DATE, HOSPITAL, DATE, OTHER). */
  record Item(String text, String kind) {}

  /** Where the block of lines goes. */
  enum Anchor {
    TOP_LEFT,
    TOP_RIGHT,
    TOP_BANNER,
    BOTTOM_LEFT,
    CENTRE
  }

  static {
    System.setProperty("java.awt.headless", "true");
  }

  /**
   * Draws {@code items} as lines at {@code anchor} into {@code frame} of {@code p}, with font size
   * {@code fontPx}; returns one box per line actually drawn (lines that do not fit are skipped).
   */
  static List<GroundTruth.TextBox> draw(
      Pixels p,
      int frame,
      List<Item> items,
      Anchor anchor,
      int fontPx,
      Polarity pol,
      boolean bold) {
    List<GroundTruth.TextBox> boxes = new ArrayList<>();
    if (fontPx < 4) {
      return boxes;
    }
    Font font = new Font(Font.SANS_SERIF, bold ? Font.BOLD : Font.PLAIN, fontPx);
    BufferedImage mask = new BufferedImage(p.cols, p.rows, BufferedImage.TYPE_BYTE_GRAY);
    Graphics2D g = mask.createGraphics();
    g.setRenderingHint(
        RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_OFF);
    g.setRenderingHint(
        RenderingHints.KEY_FRACTIONALMETRICS, RenderingHints.VALUE_FRACTIONALMETRICS_OFF);
    g.setFont(font);
    FontMetrics fm = g.getFontMetrics();
    FontRenderContext frc = g.getFontRenderContext();
    int capHeight =
        (int) Math.round(font.createGlyphVector(frc, "H").getVisualBounds().getHeight());
    int lineH = fm.getAscent() + fm.getDescent() + Math.max(2, fontPx / 4);
    int margin = Math.max(2, p.cols / 80);
    int y0 =
        switch (anchor) {
          case BOTTOM_LEFT -> p.rows - margin - lineH * items.size();
          case CENTRE -> p.rows / 2 - lineH * items.size() / 2;
          default -> margin;
        };
    int[][] rects = new int[items.size()][];
    int bannerX = margin;
    for (int i = 0; i < items.size(); i++) {
      String text = items.get(i).text();
      int w = fm.stringWidth(text);
      int x;
      int top;
      switch (anchor) {
        case TOP_RIGHT -> {
          x = p.cols - margin - w;
          top = y0 + i * lineH;
        }
        case TOP_BANNER -> {
          x = bannerX;
          top = margin;
          bannerX += w + fm.stringWidth("   ");
        }
        case CENTRE -> {
          x = (p.cols - w) / 2;
          top = y0 + i * lineH;
        }
        default -> {
          x = margin;
          top = y0 + i * lineH;
        }
      }
      int h = fm.getAscent() + fm.getDescent();
      if (x < 0 || top < 0 || x + w > p.cols || top + h > p.rows) {
        continue;
      }
      g.setColor(Color.WHITE);
      g.drawString(text, x, top + fm.getAscent());
      rects[i] = new int[] {x, top, w, h};
    }
    g.dispose();
    byte[] m = ((DataBufferByte) mask.getRaster().getDataBuffer()).getData();
    int fg;
    int bg;
    switch (pol) {
      case BLACK_ON_WHITE -> {
        fg = p.displayBlack();
        bg = p.displayWhite();
      }
      case GREY_ON_DARK -> {
        fg = scale(p, 0.72);
        bg = scale(p, 0.08);
      }
      default -> {
        fg = p.displayWhite();
        bg = p.displayBlack();
      }
    }
    for (int i = 0; i < items.size(); i++) {
      int[] rc = rects[i];
      if (rc == null) {
        continue;
      }
      int pad = Math.max(1, fontPx / 6);
      int bx0 = Math.max(0, rc[0] - pad);
      int by0 = Math.max(0, rc[1] - pad);
      int bx1 = Math.min(p.cols, rc[0] + rc[2] + pad);
      int by1 = Math.min(p.rows, rc[1] + rc[3] + pad);
      // background box behind the text (vendors do this for legibility)
      for (int y = by0; y < by1; y++) {
        for (int x = bx0; x < bx1; x++) {
          boolean ink = (m[y * p.cols + x] & 0xff) != 0;
          int v = ink ? fg : bg;
          if (p.samples == 3) {
            p.setRgb(frame, x, y, v, v, v);
          } else {
            p.setGrey(frame, x, y, v);
          }
        }
      }
      boxes.add(
          new GroundTruth.TextBox(
              frame,
              rc[0],
              rc[1],
              rc[2],
              rc[3],
              items.get(i).text(),
              capHeight,
              pol.name(),
              items.get(i).kind()));
    }
    return boxes;
  }

  private static int scale(Pixels p, double f) {
    int v = (int) Math.round(p.max() * f);
    return "MONOCHROME1".equals(p.photometric) ? p.max() - v : v;
  }
}
