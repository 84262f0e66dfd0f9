package org.imaginglakehouse.extract.report;

import java.util.Map;

/** A horizontal bar chart as inline SVG: one bar per label, its count at the bar's end. */
final class BarChart {
  private static final int WIDTH = 340;
  private static final int LABEL = 110;
  private static final int BAR_HEIGHT = 16;
  private static final int GAP = 6;
  private static final int TOP = 28;

  private BarChart() {}

  static String svg(String title, Map<String, Long> counts, String colour) {
    long max = counts.values().stream().mapToLong(Long::longValue).max().orElse(0);
    int rows = Math.max(1, counts.size());
    int height = TOP + rows * (BAR_HEIGHT + GAP) + GAP;
    StringBuilder s = new StringBuilder();
    s.append("<svg role=\"img\" width=\"")
        .append(WIDTH)
        .append("\" height=\"")
        .append(height)
        .append("\" aria-label=\"")
        .append(HtmlReport.esc(title))
        .append("\"><text x=\"0\" y=\"16\" font-size=\"14\" font-weight=\"bold\" fill=\"")
        .append(HtmlReport.TEXT_COLOUR)
        .append("\">")
        .append(HtmlReport.esc(title))
        .append("</text>\n");
    if (counts.isEmpty()) {
      s.append("<text x=\"0\" y=\"")
          .append(TOP + BAR_HEIGHT - 3)
          .append("\" font-size=\"12\" fill=\"")
          .append(HtmlReport.TEXT_COLOUR)
          .append("\">no data</text>\n");
    }
    int y = TOP;
    int span = WIDTH - LABEL - 50;
    for (Map.Entry<String, Long> e : counts.entrySet()) {
      int w = max == 0 ? 0 : (int) Math.max(1, Math.round((double) e.getValue() / max * span));
      s.append("<text x=\"0\" y=\"")
          .append(y + BAR_HEIGHT - 4)
          .append("\" font-size=\"12\" fill=\"")
          .append(HtmlReport.TEXT_COLOUR)
          .append("\">")
          .append(HtmlReport.esc(e.getKey()))
          .append("</text><rect x=\"")
          .append(LABEL)
          .append("\" y=\"")
          .append(y)
          .append("\" width=\"")
          .append(w)
          .append("\" height=\"")
          .append(BAR_HEIGHT)
          .append("\" fill=\"")
          .append(colour)
          .append("\"/><text x=\"")
          .append(LABEL + w + 4)
          .append("\" y=\"")
          .append(y + BAR_HEIGHT - 4)
          .append("\" font-size=\"12\" fill=\"")
          .append(HtmlReport.TEXT_COLOUR)
          .append("\">")
          .append(e.getValue())
          .append("</text>\n");
      y += BAR_HEIGHT + GAP;
    }
    return s.append("</svg>\n").toString();
  }
}
