package org.imaginglakehouse.synth;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Same seed, any thread count: byte-identical trees; another seed: different. */
class DeterminismTest {
  @TempDir Path dir;

  static SynthOptions options(long seed, int threads, SynthOptions.Layout layout) {
    return SynthOptions.builder()
        .patients(12)
        .seed(seed)
        .imagesScale(0.2)
        .pixelSize(SynthOptions.PixelSize.TINY)
        .layout(layout)
        .junkRate(0.02)
        .threads(threads)
        .build();
  }

  static String treeHash(Path root) throws Exception {
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    List<Path> files;
    try (Stream<Path> s = Files.walk(root)) {
      files = s.filter(Files::isRegularFile).sorted().collect(Collectors.toList());
    }
    for (Path f : files) {
      md.update(root.relativize(f).toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
      md.update((byte) 0);
      md.update(sha(f));
    }
    return HexFormat.of().formatHex(md.digest()) + " (" + files.size() + " files)";
  }

  static byte[] sha(Path f) throws Exception {
    try {
      return MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(f));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void sameSeedGivesByteIdenticalOutputWhateverTheThreadCount() throws Exception {
    for (SynthOptions.Layout layout :
        new SynthOptions.Layout[] {SynthOptions.Layout.ZIP, SynthOptions.Layout.PACS}) {
      Path a = dir.resolve(layout + "-a");
      Path b = dir.resolve(layout + "-b");
      SyntheticPacs.generate(a, options(5, 1, layout));
      SyntheticPacs.generate(b, options(5, 3, layout));
      assertThat(treeHash(b)).as(layout.name()).isEqualTo(treeHash(a));
    }
    Path c = dir.resolve("other-seed");
    SyntheticPacs.generate(c, options(6, 2, SynthOptions.Layout.ZIP));
    assertThat(treeHash(c)).isNotEqualTo(treeHash(dir.resolve("ZIP-a")));
  }
}
