package org.imaginglakehouse.ingest.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes explicit-VR little-endian DICOM byte by byte, for cases PixelMed will not write: raw ISO
 * 2022 escape sequences and encapsulated pixel data.
 */
public final class RawDicom {
  private final ByteArrayOutputStream body = new ByteArrayOutputStream();
  private final String transferSyntax;
  private final String sopClass;
  private final String sopInstance;

  public RawDicom(String transferSyntax, String sopClass, String sopInstance) {
    this.transferSyntax = transferSyntax;
    this.sopClass = sopClass;
    this.sopInstance = sopInstance;
  }

  /** Element with a short (2-byte) length VR; value padded to even length with {@code pad}. */
  public RawDicom element(int group, int element, String vr, byte[] value, byte pad) {
    byte[] v = value.length % 2 == 0 ? value : java.util.Arrays.copyOf(value, value.length + 1);
    if (v.length != value.length) {
      v[v.length - 1] = pad;
    }
    writeTag(body, group, element);
    body.writeBytes(vr.getBytes(StandardCharsets.US_ASCII));
    le16(body, v.length);
    body.writeBytes(v);
    return this;
  }

  public RawDicom text(int group, int element, String vr, String ascii) {
    return element(group, element, vr, ascii.getBytes(StandardCharsets.ISO_8859_1), (byte) ' ');
  }

  public RawDicom uid(int group, int element, String uid) {
    return element(group, element, "UI", uid.getBytes(StandardCharsets.US_ASCII), (byte) 0);
  }

  /** Encapsulated PixelData with an empty offset table and the given fragments. */
  public RawDicom encapsulatedPixels(List<byte[]> fragments, boolean withDelimiter) {
    writeTag(body, 0x7FE0, 0x0010);
    body.writeBytes("OB".getBytes(StandardCharsets.US_ASCII));
    le16(body, 0);
    le32(body, 0xFFFFFFFFL);
    writeTag(body, 0xFFFE, 0xE000);
    le32(body, 0);
    for (byte[] f : fragments) {
      writeTag(body, 0xFFFE, 0xE000);
      le32(body, f.length);
      body.writeBytes(f);
    }
    if (withDelimiter) {
      writeTag(body, 0xFFFE, 0xE0DD);
      le32(body, 0);
    }
    return this;
  }

  public byte[] bytes() {
    ByteArrayOutputStream meta = new ByteArrayOutputStream();
    RawDicom m = new RawDicom(transferSyntax, sopClass, sopInstance);
    m.element(0x0002, 0x0001, "OB", new byte[] {0, 1}, (byte) 0);
    m.uid(0x0002, 0x0002, sopClass)
        .uid(0x0002, 0x0003, sopInstance)
        .uid(0x0002, 0x0010, transferSyntax);
    byte[] metaBody = m.body.toByteArray();
    // (0002,0001) OB has a long-form header: rewrite it properly.
    ByteArrayOutputStream fixed = new ByteArrayOutputStream();
    writeTag(fixed, 0x0002, 0x0001);
    fixed.writeBytes("OB".getBytes(StandardCharsets.US_ASCII));
    le16(fixed, 0);
    le32(fixed, 2);
    fixed.writeBytes(new byte[] {0, 1});
    fixed.write(metaBody, 10, metaBody.length - 10);
    byte[] metaElements = fixed.toByteArray();
    meta.writeBytes(new byte[128]);
    meta.writeBytes("DICM".getBytes(StandardCharsets.US_ASCII));
    writeTag(meta, 0x0002, 0x0000);
    meta.writeBytes("UL".getBytes(StandardCharsets.US_ASCII));
    le16(meta, 4);
    le32(meta, metaElements.length);
    meta.writeBytes(metaElements);
    meta.writeBytes(body.toByteArray());
    return meta.toByteArray();
  }

  public Path write(Path file) {
    try {
      Files.createDirectories(file.getParent());
      Files.write(file, bytes());
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void writeTag(ByteArrayOutputStream out, int group, int element) {
    le16(out, group);
    le16(out, element);
  }

  private static void le16(ByteArrayOutputStream out, int v) {
    out.write(v & 0xFF);
    out.write((v >>> 8) & 0xFF);
  }

  private static void le32(ByteArrayOutputStream out, long v) {
    for (int i = 0; i < 4; i++) {
      out.write((int) ((v >>> (8 * i)) & 0xFF));
    }
  }
}
