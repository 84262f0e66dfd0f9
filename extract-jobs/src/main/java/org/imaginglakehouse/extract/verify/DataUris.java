package org.imaginglakehouse.extract.verify;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Base64 {@code data:} URIs of an HTML file (the report's thumbnails), split from its text. Scanned
 * as they are, base64 runs would match short names by chance (a narrow alphabet, case ignored), so
 * verify scans the text with the payloads blanked and each decoded payload as bytes. A payload that
 * does not decode stays in the text: it is scanned as text, never skipped.
 */
record DataUris(byte[] text, List<byte[]> payloads) {
  private static final byte[] MARKER = "data:".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] BASE64 = ";base64,".getBytes(StandardCharsets.US_ASCII);

  static DataUris split(byte[] html) {
    byte[] text = html.clone();
    List<byte[]> payloads = new ArrayList<>();
    int i = 0;
    while ((i = FileVerifier.indexOf(html, MARKER, i)) >= 0) {
      int j = i + MARKER.length;
      while (j < html.length && isMediaType(html[j])) {
        j++;
      }
      if (!startsWith(html, BASE64, j)) {
        i = j;
        continue;
      }
      int start = j + BASE64.length;
      int end = start;
      while (end < html.length && isBase64(html[end])) {
        end++;
      }
      try {
        payloads.add(
            Base64.getDecoder()
                .decode(new String(html, start, end - start, StandardCharsets.US_ASCII)));
        java.util.Arrays.fill(text, start, end, (byte) ' ');
      } catch (IllegalArgumentException e) {
        // not base64 after all: left in the text, where the scan sees it as it is
      }
      i = end;
    }
    return new DataUris(text, payloads);
  }

  private static boolean isMediaType(byte b) {
    return (b >= 'a' && b <= 'z')
        || (b >= 'A' && b <= 'Z')
        || (b >= '0' && b <= '9')
        || b == '/'
        || b == '+'
        || b == '-'
        || b == '.';
  }

  private static boolean isBase64(byte b) {
    return (b >= 'A' && b <= 'Z')
        || (b >= 'a' && b <= 'z')
        || (b >= '0' && b <= '9')
        || b == '+'
        || b == '/'
        || b == '=';
  }

  private static boolean startsWith(byte[] bytes, byte[] prefix, int at) {
    return at + prefix.length <= bytes.length
        && java.util.Arrays.equals(bytes, at, at + prefix.length, prefix, 0, prefix.length);
  }
}
