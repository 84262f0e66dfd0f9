package org.imaginglakehouse.extract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.imaginglakehouse.core.LakehouseException;
import org.imaginglakehouse.core.testing.SparkTestBase;
import org.junit.jupiter.api.Test;

/** The benchmark's Spark copy baseline copies every byte of a tree and nothing else. */
class CopyBaselineTest extends SparkTestBase {
  @Test
  void copiesEveryFileOfATreeByteForByte() throws Exception {
    Path from = tempDir.resolve("copy-from");
    Random random = new Random(7);
    long bytes = 0;
    for (int i = 0; i < 23; i++) {
      Path f = from.resolve("p" + (i % 3) + "/s" + (i % 5) + "/" + i + ".dcm");
      Files.createDirectories(f.getParent());
      byte[] data = new byte[random.nextInt(70_000)];
      random.nextBytes(data);
      Files.write(f, data);
      bytes += data.length;
    }
    Path to = tempDir.resolve("copy-to");

    CopyBaseline.Copied copied = CopyBaseline.copy(spark(), from, to);

    assertThat(copied.files()).isEqualTo(23);
    assertThat(copied.bytes()).isEqualTo(bytes);
    assertThat(contents(to)).isEqualTo(contents(from));
    assertThatThrownBy(() -> CopyBaseline.copy(spark(), from, to))
        .isInstanceOf(LakehouseException.class)
        .hasMessageContaining("exists");
  }

  private static TreeMap<String, String> contents(Path root) throws Exception {
    TreeMap<String, String> out = new TreeMap<>();
    try (Stream<Path> files = Files.walk(root)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        out.put(
            root.relativize(f).toString(),
            ExtractJob.sha256Hex(
                Files.readString(f, java.nio.charset.StandardCharsets.ISO_8859_1)));
      }
    }
    return out;
  }
}
