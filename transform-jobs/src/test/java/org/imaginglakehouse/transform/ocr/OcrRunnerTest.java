package org.imaginglakehouse.transform.ocr;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.imaginglakehouse.transform.pixel.PixelDescriptor;
import org.imaginglakehouse.transform.testing.TestDicom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OcrRunnerTest {
  @TempDir Path dir;

  private TestDicom.Spec spec(int size, List<TestDicom.Text> texts) {
    TestDicom.Spec s = new TestDicom.Spec();
    s.rows = size;
    s.cols = size;
    s.frames = List.of(TestDicom.frame(size, size, 12, 7, 4095, texts));
    return s;
  }

  @Test
  void findsBurnedInTextOfTwelvePixels() throws Exception {
    List<TestDicom.Text> texts =
        List.of(
            new TestDicom.Text("DOE^JANE", 10, 10, 12),
            new TestDicom.Text("ACC 12345678", 10, 480, 12));
    PixelDescriptor d = TestDicom.write(dir.resolve("t.dcm"), "1.2.9.1", spec(512, texts));
    OcrOutcome out = new OcrRunner(OcrSettings.defaults()).run(d);
    assertThat(out.status()).isEqualTo(OcrOutcome.TEXT);
    assertThat(out.words()).extracting(w -> w.word().text()).contains("12345678");
    OcrOutcome.FoundWord acc =
        out.words().stream()
            .filter(w -> w.word().text().equals("12345678"))
            .findFirst()
            .orElseThrow();
    assertThat(acc.word().top()).isBetween(475, 485);
    assertThat(acc.source()).isEqualTo("pixels");
  }

  @Test
  void textFreeImageHasNoText() throws Exception {
    PixelDescriptor d = TestDicom.write(dir.resolve("n.dcm"), "1.2.9.2", spec(512, List.of()));
    OcrOutcome out = new OcrRunner(OcrSettings.defaults()).run(d);
    assertThat(out.status()).isEqualTo(OcrOutcome.NO_TEXT);
    assertThat(out.tesseractCalls()).isEqualTo(OcrSettings.defaults().passes().size());
  }

  @Test
  void readsTextInOverlayOnlyAndInSmallUpscaledImages() throws Exception {
    TestDicom.Spec s = spec(128, List.of(new TestDicom.Text("LEFT 1970", 8, 8, 12)));
    PixelDescriptor small = TestDicom.write(dir.resolve("s.dcm"), "1.2.9.3", s);
    OcrOutcome out = new OcrRunner(OcrSettings.defaults()).run(small);
    assertThat(out.words()).extracting(w -> w.word().text()).contains("1970");

    TestDicom.Spec o = spec(256, List.of());
    o.overlay =
        TestDicom.textMask(256, 256, List.of(new TestDicom.Text("SMITH 19700101", 20, 100, 14)));
    PixelDescriptor overlay = TestDicom.write(dir.resolve("o.dcm"), "1.2.9.4", o);
    OcrOutcome ov = new OcrRunner(OcrSettings.defaults()).run(overlay);
    assertThat(ov.status()).isEqualTo(OcrOutcome.TEXT);
    assertThat(ov.words())
        .filteredOn(w -> w.source().equals("overlay_6000"))
        .extracting(w -> w.word().text())
        .contains("19700101");
  }
}
