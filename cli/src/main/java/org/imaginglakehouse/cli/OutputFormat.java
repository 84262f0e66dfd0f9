package org.imaginglakehouse.cli;

import java.io.PrintStream;
import java.util.List;

/**
 * How {@code sql} and {@code tables} print rows. A result cut short ends with a note saying so: in
 * the row count line of a table, as a last line starting with {@code #} in CSV and JSON Lines
 * (which a reader then sees, rather than silently taking the cut result as complete).
 */
enum OutputFormat {
  TABLE {
    @Override
    void print(PrintStream out, List<String> header, List<List<String>> rows, String cutNote) {
      int[] widths = new int[header.size()];
      for (int i = 0; i < widths.length; i++) {
        widths[i] = header.get(i).length();
        for (List<String> row : rows) {
          widths[i] = Math.max(widths[i], display(row.get(i)).length());
        }
      }
      StringBuilder rule = new StringBuilder("+");
      for (int width : widths) {
        rule.append("-".repeat(width + 2)).append('+');
      }
      out.println(rule);
      printRow(out, header, widths);
      out.println(rule);
      for (List<String> row : rows) {
        printRow(out, row, widths);
      }
      out.println(rule);
      out.println(
          rows.size()
              + (rows.size() == 1 ? " row" : " rows")
              + (cutNote == null ? "" : " (" + cutNote + ")"));
    }

    private void printRow(PrintStream out, List<String> row, int[] widths) {
      StringBuilder line = new StringBuilder("|");
      for (int i = 0; i < widths.length; i++) {
        String value = display(row.get(i));
        line.append(' ').append(value).append(" ".repeat(widths[i] - value.length())).append(" |");
      }
      out.println(line);
    }

    private String display(String value) {
      return value == null ? "NULL" : value.replace("\n", "\\n");
    }
  },
  CSV {
    @Override
    void print(PrintStream out, List<String> header, List<List<String>> rows, String cutNote) {
      out.println(csvLine(header));
      for (List<String> row : rows) {
        out.println(csvLine(row));
      }
      printCutNote(out, cutNote);
    }

    private String csvLine(List<String> values) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < values.size(); i++) {
        if (i > 0) {
          line.append(',');
        }
        String value = values.get(i);
        if (value == null) {
          continue;
        }
        if (value.isEmpty()
            || value.indexOf(',') >= 0
            || value.indexOf('"') >= 0
            || value.indexOf('\n') >= 0
            || value.indexOf('\r') >= 0) {
          line.append('"').append(value.replace("\"", "\"\"")).append('"');
        } else {
          line.append(value);
        }
      }
      return line.toString();
    }
  },
  JSON {
    @Override
    void print(PrintStream out, List<String> header, List<List<String>> rows, String cutNote) {
      // JSON Lines: one object per row, values as strings (complex values as JSON text).
      for (List<String> row : rows) {
        StringBuilder line = new StringBuilder("{");
        for (int i = 0; i < header.size(); i++) {
          if (i > 0) {
            line.append(',');
          }
          line.append(quote(header.get(i))).append(':');
          String value = row.get(i);
          line.append(value == null ? "null" : quote(value));
        }
        out.println(line.append('}'));
      }
      printCutNote(out, cutNote);
    }
  };

  /** Prints the rows; {@code cutNote} (or null) says that and where the result was cut. */
  abstract void print(
      PrintStream out, List<String> header, List<List<String>> rows, String cutNote);

  private static void printCutNote(PrintStream out, String cutNote) {
    if (cutNote != null) {
      out.println("# " + cutNote);
    }
  }

  static String quote(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        default -> {
          if (c < 0x20) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.append('"').toString();
  }
}
