package org.imaginglakehouse.extract.verify;

import java.io.IOException;
import java.util.List;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BaseFixedWidthVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.ipc.ArrowFileReader;
import org.apache.arrow.vector.ipc.message.ArrowBlock;
import org.apache.arrow.vector.util.ByteArrayReadableSeekableByteChannel;

/**
 * Where the voxel values of a {@code lakehouse tensors} volume file are: the file holds one record
 * batch whose last column is the voxels, so their values are the last buffer of the batch body. The
 * range is checked byte for byte against what Arrow reads there; anything else (another layout, a
 * damaged file) gives null and the whole file is scanned as text (fail closed).
 */
final class ArrowVoxels {
  private ArrowVoxels() {}

  /** {start, end} of the voxel values in {@code file}, or null. */
  static long[] range(byte[] file) {
    try (BufferAllocator allocator = new RootAllocator();
        ArrowFileReader reader =
            new ArrowFileReader(new ByteArrayReadableSeekableByteChannel(file), allocator)) {
      List<ArrowBlock> blocks = reader.getRecordBlocks();
      if (blocks.size() != 1 || !reader.loadRecordBatch(blocks.get(0))) {
        return null;
      }
      VectorSchemaRoot root = reader.getVectorSchemaRoot();
      List<FieldVector> vectors = root.getFieldVectors();
      if (!(vectors.get(vectors.size() - 1) instanceof FixedSizeListVector voxels)
          || !(voxels.getDataVector() instanceof BaseFixedWidthVector values)) {
        return null;
      }
      long length = (long) values.getValueCount() * values.getTypeWidth();
      ArrowBlock block = blocks.get(0);
      long bodyEnd = block.getOffset() + block.getMetadataLength() + block.getBodyLength();
      long start = bodyEnd - ((length + 7) / 8) * 8;
      if (start < 0 || start + length > file.length) {
        return null;
      }
      ArrowBuf data = values.getDataBuffer();
      byte[] chunk = new byte[1 << 16];
      for (long at = 0; at < length; at += chunk.length) {
        int n = (int) Math.min(chunk.length, length - at);
        data.getBytes(at, chunk, 0, n);
        if (!java.util.Arrays.equals(
            chunk, 0, n, file, (int) (start + at), (int) (start + at + n))) {
          return null;
        }
      }
      return new long[] {start, start + length};
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }
}
