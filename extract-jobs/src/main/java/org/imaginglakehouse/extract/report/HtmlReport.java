package org.imaginglakehouse.extract.report;

import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * {@code report.html}: one self-contained page a data manager reads before release (SMI's
 * CohortPackager report). Counts by modality and by reason, bar charts as inline SVG, thumbnails as
 * PNG data URIs; no script, no style sheet or font from elsewhere, no link off the page, so it
 * renders offline and is released with the extraction. It holds project identifiers, counts and
 * pictures of released pixels only; verify scans it like every other file (its PNGs decoded).
 */
public final class HtmlReport {
  /** Fill of every bar: the rendering test finds the charts on a screenshot by this colour. */
  public static final String BAR_COLOUR = "#e0701f";

  /** Text colour: not a grey, so only thumbnails put neutral grey pixels on the page. */
  static final String TEXT_COLOUR = "#14284b";

  /** What the page shows; maps are label → count, in the order given. */
  public record Data(
      String project,
      String profile,
      String pixelPolicy,
      long files,
      long bytes,
      Map<String, Long> instancesByModality,
      Map<String, Long> rejectionsByReason,
      Map<String, Long> errorsByReason,
      Map<String, Long> studiesByYear,
      Map<String, Long> ageAtStudy,
      List<Thumbnail> thumbnails,
      long redactedImages,
      List<Thumbnail> redacted) {}

  /** A picture of one released image; {@code label} is shown under it (modality, number). */
  public record Thumbnail(String label, byte[] png) {}

  private HtmlReport() {}

  private static void figures(StringBuilder h, List<Thumbnail> thumbnails) {
    if (thumbnails.isEmpty()) {
      return;
    }
    h.append("<div class=\"thumbs\">\n");
    for (Thumbnail t : thumbnails) {
      h.append("<figure><img alt=\"")
          .append(esc(t.label()))
          .append("\" src=\"data:image/png;base64,")
          .append(Base64.getEncoder().encodeToString(t.png()))
          .append("\"><figcaption>")
          .append(esc(t.label()))
          .append("</figcaption></figure>\n");
    }
    h.append("</div>\n");
  }

  public static String render(Data d) {
    StringBuilder h = new StringBuilder(16_384);
    h.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
        .append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none';")
        .append(" img-src data:; style-src 'unsafe-inline'\">\n")
        .append("<title>Extraction report: ")
        .append(esc(d.project()))
        .append("</title>\n<style>\n")
        .append("body{font-family:sans-serif;color:")
        .append(TEXT_COLOUR)
        .append(";background:#fff;margin:24px;max-width:1100px}\n")
        .append("table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #c8d2e6;")
        .append("padding:3px 8px;text-align:left}td.n{text-align:right}\n")
        .append("section{margin-bottom:28px}.charts{display:flex;flex-wrap:wrap;gap:24px}\n")
        .append(".thumbs{display:flex;flex-wrap:wrap;gap:12px}")
        .append("figure{margin:0;text-align:center;font-size:12px}")
        .append("figure img{display:block;background:#000}\n")
        .append("</style>\n</head>\n<body>\n");
    h.append("<h1>Extraction for project <code>").append(esc(d.project())).append("</code></h1>\n");
    h.append("<section><h2>Summary</h2><table>\n");
    row(h, "files", d.files());
    row(h, "bytes", d.bytes());
    row(h, "rejected instances", sum(d.rejectionsByReason()));
    row(h, "processing errors", sum(d.errorsByReason()));
    row(h, "redacted images", d.redactedImages());
    h.append("</table>\n<p>Profile: <code>")
        .append(esc(d.profile()))
        .append("</code>. Pixel policy: <code>")
        .append(esc(d.pixelPolicy()))
        .append("</code>.</p></section>\n");
    h.append("<section><h2>Charts</h2><div class=\"charts\">\n");
    h.append(BarChart.svg("Instances per modality", d.instancesByModality(), BAR_COLOUR));
    h.append(BarChart.svg("Studies per year (shifted dates)", d.studiesByYear(), BAR_COLOUR));
    h.append(BarChart.svg("Age at study (years)", d.ageAtStudy(), BAR_COLOUR));
    h.append("</div></section>\n");
    h.append("<section><h2>Rejected instances</h2>\n");
    counts(h, d.rejectionsByReason(), "rejections.csv");
    h.append("</section>\n<section><h2>Processing errors</h2>\n");
    counts(h, d.errorsByReason(), "processing_errors.csv");
    h.append("</section>\n<section><h2>Sample of released images</h2>\n");
    if (d.thumbnails().isEmpty()) {
      h.append("<p>No image in this extraction could be shown.</p>\n");
    } else {
      h.append("<p>")
          .append(d.thumbnails().size())
          .append(" images chosen by a stable hash of their path, as released (first frame,")
          .append(" windowed).</p>\n");
      figures(h, d.thumbnails());
    }
    h.append("</section>\n<section><h2>Redacted images</h2>\n<p>")
        .append(
            d.redactedImages() == 0
                ? "None: no image of this extraction was redacted."
                : d.redactedImages()
                    + " images were redacted: each is shown as released (first frame), the"
                    + " blacked-out regions outlined in red.")
        .append("</p>\n");
    figures(h, d.redacted());
    h.append("</section>\n");
    h.append("<p>Every file of the extraction, this page included, is scanned by")
        .append(" <code>lakehouse verify</code> before release; see README.md and")
        .append(" verification_failures.csv.</p>\n</body>\n</html>\n");
    return h.toString();
  }

  private static void row(StringBuilder h, String label, long n) {
    h.append("<tr><th>").append(esc(label)).append("</th><td class=\"n\">");
    h.append(n).append("</td></tr>\n");
  }

  private static void counts(StringBuilder h, Map<String, Long> counts, String csv) {
    if (counts.isEmpty()) {
      h.append("<p>None.</p>\n");
      return;
    }
    h.append("<p>Each one, with its reason, in <code>").append(csv).append("</code>.</p>");
    h.append("<table><tr><th>reason</th><th>instances</th></tr>\n");
    counts.forEach(
        (reason, n) ->
            h.append("<tr><td>")
                .append(esc(reason))
                .append("</td><td class=\"n\">")
                .append(n)
                .append("</td></tr>\n"));
    h.append("</table>\n");
  }

  private static long sum(Map<String, Long> counts) {
    return counts.values().stream().mapToLong(Long::longValue).sum();
  }

  static String esc(String s) {
    if (s == null) {
      return "";
    }
    StringBuilder out = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '&' -> out.append("&amp;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&#39;");
        default -> out.append(c);
      }
    }
    return out.toString();
  }
}
