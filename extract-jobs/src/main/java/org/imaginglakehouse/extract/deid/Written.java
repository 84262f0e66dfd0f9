package org.imaginglakehouse.extract.deid;

/**
 * What {@link ExtractFileWriter} wrote.
 *
 * @param sha256 SHA-256 of the bytes written, 64 lower-case hex digits
 * @param size number of bytes written
 * @param pixelBytesCopied bytes of the source's PixelData element (tag, VR, length and value, or
 *     every fragment item and the sequence delimiter) copied verbatim; 0 without PixelData
 * @param transferSyntaxUid the transfer syntax of the source and of the file written
 */
public record Written(String sha256, long size, long pixelBytesCopied, String transferSyntaxUid) {}
