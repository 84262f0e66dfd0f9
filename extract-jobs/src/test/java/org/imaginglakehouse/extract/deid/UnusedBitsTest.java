package org.imaginglakehouse.extract.deid;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.dicom.TransferSyntax;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.imaginglakehouse.extract.testing.OverlayDicom;
import org.imaginglakehouse.extract.testing.TestDicom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ExtractFileWriter} clears the unused high bits of native pixel data (where a retired
 * embedded overlay hides) on real files written by PixelMed, compared byte for byte; it refuses an
 * embedded overlay it cannot clear without decoding.
 */
class UnusedBitsTest {
  @TempDir Path dir;

  /** Stored values 0-4095 with bits 12-15 set where a "text" mask says (an embedded overlay). */
  static int unsignedValue(int x, int y) {
    return (x * 7 + y * 13) % 4096 | ((x / 8 + y / 8) % 2 == 0 ? 0xF000 : 0);
  }

  @Test
  void nativeUnusedHighBitsAreClearedInBothVrs() throws Exception {
    for (String ts :
        new String[] {
          TransferSyntax.ExplicitVRLittleEndian, TransferSyntax.ImplicitVRLittleEndian
        }) {
      AttributeList list = OverlayDicom.image("1.2.3.40", false, UnusedBitsTest::unsignedValue);
      OverlayDicom.embedded(list, 0x6000, 15);
      byte[] source = pixelBytes(list);
      Path in = TestDicom.write(list, ts, dir.resolve("in.dcm"));
      Path out = dir.resolve("out.dcm");
      Written w = new ExtractFileWriter().write(in, null, header -> header, out);

      byte[] expected = source.clone();
      for (int i = 1; i < expected.length; i += 2) {
        expected[i] &= 0x0F; // high byte of each little-endian value: bits 12-15 cleared
      }
      assertThat(expected).isNotEqualTo(source); // the source does have bits to clear
      byte[] file = Files.readAllBytes(out);
      assertThat(Arrays.copyOfRange(file, file.length - expected.length, file.length))
          .as(ts)
          .isEqualTo(expected);
      assertThat(w.pixelBytesCopied()).isGreaterThan(expected.length);
      assertThat(Files.readAllBytes(in)).endsWith(source); // the source is untouched
    }
  }

  @Test
  void signedValuesAreSignExtendedFromHighBit() throws Exception {
    // -5 and 291 in 12 bits, with garbage above bit 11.
    AttributeList list =
        OverlayDicom.image(
            "1.2.3.41", true, (x, y) -> x % 2 == 0 ? 0x0FFB | 0x5000 : 0x0123 | 0xA000);
    Path in = TestDicom.write(list, TransferSyntax.ExplicitVRLittleEndian, dir.resolve("s.dcm"));
    Path out = dir.resolve("s-out.dcm");
    new ExtractFileWriter().write(in, null, header -> header, out);
    AttributeList written = new AttributeList();
    written.read(out.toString());
    short[] values = written.get(TagFromName.PixelData).getShortValues();
    for (int i = 0; i < values.length; i++) {
      assertThat(values[i]).isEqualTo((short) (i % 2 == 0 ? -5 : 0x0123));
    }
  }

  @Test
  void sixteenBitValuesFourAtATimeMatchTheRuleValueByValue() throws Exception {
    java.util.Random random = new java.util.Random(23);
    int[][] layouts = {{12, 11}, {12, 15}, {10, 13}, {15, 14}, {8, 7}, {1, 0}};
    for (int[] layout : layouts) {
      for (boolean signed : new boolean[] {false, true}) {
        AttributeList header = new AttributeList();
        putUs(header, TagFromName.BitsAllocated, 16);
        putUs(header, TagFromName.BitsStored, layout[0]);
        putUs(header, TagFromName.HighBit, layout[1]);
        putUs(header, TagFromName.PixelRepresentation, signed ? 1 : 0);
        UnusedBits unused = UnusedBits.of(header, false);
        int high = layout[1];
        int low = high - layout[0] + 1;
        // Odd lengths too: a trailing half value stays as it is.
        for (int n : new int[] {0, 1, 2, 7, 8, 9, 15, 16, 17, 64, 1001}) {
          byte[] buffer = new byte[n];
          random.nextBytes(buffer);
          if (n > 16) {
            buffer[8] = 0; // a long of values with nothing to clear
            Arrays.fill(buffer, 8, 16, (byte) 0);
          }
          byte[] expected = buffer.clone();
          long expectedChanged = 0;
          for (int at = 0; at + 1 < n; at += 2) {
            int v = (expected[at] & 0xFF) | (expected[at + 1] & 0xFF) << 8;
            int out = v & (((1 << layout[0]) - 1) << low);
            if (signed && (v >> high & 1) == 1) {
              out |= 0xFFFF & ~((1 << (high + 1)) - 1);
            }
            if (out != v) {
              expectedChanged++;
            }
            expected[at] = (byte) out;
            expected[at + 1] = (byte) (out >> 8);
          }
          long changed = unused.apply(buffer, n);
          assertThat(buffer)
              .as("%s signed %s n %d", Arrays.toString(layout), signed, n)
              .isEqualTo(expected);
          assertThat(changed).isEqualTo(expectedChanged);
        }
      }
    }
  }

  private static void putUs(AttributeList list, com.pixelmed.dicom.AttributeTag tag, int value)
      throws Exception {
    com.pixelmed.dicom.Attribute a = new com.pixelmed.dicom.UnsignedShortAttribute(tag);
    a.addValue(value);
    list.put(a);
  }

  @Test
  void valuesWithoutUnusedBitsAreCopiedVerbatim() throws Exception {
    AttributeList list = OverlayDicom.image("1.2.3.42", false, (x, y) -> 0xF00F);
    list.get(TagFromName.BitsStored).removeValues();
    list.get(TagFromName.BitsStored).addValue(16);
    list.get(TagFromName.HighBit).removeValues();
    list.get(TagFromName.HighBit).addValue(15);
    byte[] source = pixelBytes(list);
    Path in = TestDicom.write(list, TransferSyntax.ExplicitVRLittleEndian, dir.resolve("v.dcm"));
    Path out = dir.resolve("v-out.dcm");
    new ExtractFileWriter().write(in, null, header -> header, out);
    assertThat(Files.readAllBytes(out)).endsWith(source);
  }

  @Test
  void anEmbeddedOverlayThatCannotBeClearedIsRefused() throws Exception {
    // Inside the stored bits (bit 3 of 0-11): clearing it would change the image.
    AttributeList inside = OverlayDicom.image("1.2.3.43", false, UnusedBitsTest::unsignedValue);
    OverlayDicom.embedded(inside, 0x6002, 3);
    Path in = TestDicom.write(inside, TransferSyntax.ExplicitVRLittleEndian, dir.resolve("i.dcm"));
    assertThatThrownBy(
            () -> new ExtractFileWriter().write(in, null, h -> h, dir.resolve("i-out.dcm")))
        .isInstanceOfSatisfying(
            SourceRejectedException.class,
            e -> {
              assertThat(e.reason()).isEqualTo(SourceRejectedException.Reason.EMBEDDED_OVERLAY);
              assertThat(e.reason().code()).isEqualTo("embedded_overlay");
              assertThat(e.getMessage()).contains("inside the stored bits");
            });

    // Compressed (12 of 16 bits stored): the bits cannot be reached without decoding.
    Path jpeg = TestDicom.writeEncapsulated("1.2.3.44", dir.resolve("j.dcm"), new byte[] {1, 2});
    Path declared = dir.resolve("j2.dcm");
    AttributeList header = new AttributeList();
    header.read(jpeg.toString());
    OverlayDicom.embedded(header, 0x6000, 15);
    header.remove(TagFromName.PixelData);
    TestDicom.write(header, TransferSyntax.JPEGBaseline, declared);
    Files.write(
        declared,
        Arrays.copyOfRange(Files.readAllBytes(jpeg), pixelStart(jpeg), (int) Files.size(jpeg)),
        java.nio.file.StandardOpenOption.APPEND);
    assertThatThrownBy(
            () -> new ExtractFileWriter().write(declared, null, h -> h, dir.resolve("j-out.dcm")))
        .isInstanceOfSatisfying(
            SourceRejectedException.class,
            e -> assertThat(e.getMessage()).contains("compressed pixel data"));
    // Without a declared embedded overlay, compressed data is copied as it is.
    Path plain = dir.resolve("j-plain.dcm");
    new ExtractFileWriter().write(jpeg, null, h -> h, plain);
    byte[] src = Files.readAllBytes(jpeg);
    assertThat(Files.readAllBytes(plain))
        .endsWith(Arrays.copyOfRange(src, pixelStart(jpeg), src.length));
  }

  private static byte[] pixelBytes(AttributeList list) throws Exception {
    short[] v = list.get(TagFromName.PixelData).getShortValues();
    byte[] out = new byte[v.length * 2];
    for (int i = 0; i < v.length; i++) {
      out[2 * i] = (byte) v[i];
      out[2 * i + 1] = (byte) (v[i] >>> 8);
    }
    return out;
  }

  /** Offset of the PixelData tag (7FE0,0010) in an explicit VR little endian file. */
  private static int pixelStart(Path file) throws Exception {
    byte[] b = Files.readAllBytes(file);
    for (int i = 132; i + 4 <= b.length; i++) {
      if ((b[i] & 0xff) == 0xE0 && b[i + 1] == 0x7F && b[i + 2] == 0x10 && b[i + 3] == 0) {
        return i;
      }
    }
    throw new AssertionError("no PixelData tag");
  }
}
