package org.imaginglakehouse.ingest.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Independent reader: dcmtk's dcmdump, converting text to UTF-8, top-level string values. */
public final class DcmDump {
  private static final Pattern LINE =
      Pattern.compile("^\\(([0-9a-f]{4}),([0-9a-f]{4})\\) ([A-Z]{2}) \\[(.*)\\]\\s+#.*$");

  private DcmDump() {}

  /**
   * Top-level text values by 8-hex tag (upper case), as dcmdump prints them converted to UTF-8.
   * (dcmdump then reports SpecificCharacterSet as ISO_IR 192: use {@link #rawValues} for it.)
   */
  public static Map<String, String> values(Path file) {
    return dump(file, true);
  }

  /** Top-level values without character set conversion. */
  public static Map<String, String> rawValues(Path file) {
    return dump(file, false);
  }

  private static Map<String, String> dump(Path file, boolean utf8) {
    try {
      List<String> command = new java.util.ArrayList<>(List.of("dcmdump", "-q", "-Un", "+L"));
      if (utf8) {
        command.add("+U8");
      }
      command.add(file.toString());
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IllegalStateException("dcmdump failed on " + file + ":\n" + out);
      }
      Map<String, String> values = new LinkedHashMap<>();
      for (String line : out.split("\n")) {
        Matcher m = LINE.matcher(line);
        if (m.matches()) {
          values.putIfAbsent((m.group(1) + m.group(2)).toUpperCase(), m.group(4));
        }
      }
      return values;
    } catch (IOException e) {
      throw new IllegalStateException("dcmdump not runnable (apt-get install dcmtk)", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
