package org.imaginglakehouse.transform.ocr;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Random;
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
    // every whole-frame pass runs; a frame without bright panels costs the panel pass no call
    assertThat(out.tesseractCalls()).isEqualTo(OcrSettings.defaults().passes().size() - 1);
  }

  /**
   * An ultrasound-style frame with the patient's name and CHI in two white label boxes side by side
   * on the top line: whole-frame layout analysis took such boxes for pictures (a miss in the
   * 30-patient accuracy sample); the panel pass reads each box on its own.
   */
  @Test
  void readsLabelBoxesSideBySideThroughThePanelPass() throws Exception {
    int rows = 480;
    int cols = 640;
    int[] v = new int[rows * cols];
    Random random = new Random(5);
    for (int y = 80; y < 400; y++) {
      for (int x = 120; x < 520; x++) {
        v[y * cols + x] = random.nextInt(3000); // speckle
      }
    }
    int[][] boxes = {{8, 8, 200, 29}, {232, 8, 170, 29}, {8, 437, 284, 29}};
    for (int[] b : boxes) {
      for (int y = b[1]; y < b[1] + b[3]; y++) {
        for (int x = b[0]; x < b[0] + b[2]; x++) {
          v[y * cols + x] = 4095;
        }
      }
    }
    boolean[] text =
        TestDicom.textMask(
            rows,
            cols,
            List.of(
                new TestDicom.Text("NUNEZ, JOSE", 12, 13, 18),
                new TestDicom.Text("2601368454", 236, 13, 18),
                new TestDicom.Text("08/08/2012 11:32:58", 12, 442, 18)));
    for (int i = 0; i < v.length; i++) {
      if (text[i]) {
        v[i] = 0;
      }
    }
    TestDicom.Spec s = new TestDicom.Spec();
    s.rows = rows;
    s.cols = cols;
    s.modality = "US";
    s.frames = List.of(v);
    PixelDescriptor d = TestDicom.write(dir.resolve("us.dcm"), "1.2.9.5", s);

    OcrOutcome out = new OcrRunner(OcrSettings.defaults()).run(d);

    List<OcrWord> panels =
        out.words().stream()
            .filter(w -> w.pass().equals(OcrPass.PANELS.id()))
            .map(OcrOutcome.FoundWord::word)
            .toList();
    assertThat(panels)
        .extracting(OcrWord::text)
        .contains("NUNEZ,", "JOSE", "2601368454", "08/08/2012");
    OcrWord chi = panels.stream().filter(w -> w.text().equals("2601368454")).findFirst().get();
    assertThat(chi.left()).isBetween(232, 245); // frame coordinates, not the crop's
    assertThat(chi.top()).isBetween(8, 20);
    // each panel's words are on their own lines: the name and the CHI are never joined
    OcrWord name = panels.stream().filter(w -> w.text().equals("JOSE")).findFirst().get();
    assertThat(name.line()).isNotEqualTo(chi.line());
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
