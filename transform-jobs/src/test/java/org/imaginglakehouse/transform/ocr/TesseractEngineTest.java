package org.imaginglakehouse.transform.ocr;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.util.List;
import net.sourceforge.tess4j.ITessAPI.TessPageSegMode;
import org.junit.jupiter.api.Test;

class TesseractEngineTest {
  static byte[] render(int w, int h, String text, int px, int fg, int bg) {
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
    Graphics2D g = img.createGraphics();
    g.setColor(new Color(bg, bg, bg));
    g.fillRect(0, 0, w, h);
    g.setColor(new Color(fg, fg, fg));
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, px));
    g.drawString(text, 20, 40 + px);
    g.dispose();
    return ((DataBufferByte) img.getRaster().getDataBuffer()).getData();
  }

  @Test
  void readsRenderedTextWithBoxes() {
    TesseractEngine engine =
        TesseractPool.get(TesseractEngine.DEFAULT_TESSDATA, "eng", TessPageSegMode.PSM_SPARSE_TEXT);
    byte[] grey = render(512, 512, "SMITH JOHN 12345", 16, 0, 255);
    List<OcrWord> words = engine.recognise(grey, 512, 512, 1.0);
    assertThat(words).extracting(OcrWord::text).contains("SMITH", "JOHN", "12345");
    OcrWord smith = words.stream().filter(w -> w.text().equals("SMITH")).findFirst().orElseThrow();
    assertThat(smith.left()).isBetween(15, 25);
    assertThat(smith.top()).isBetween(40, 60);
    assertThat(smith.confidence()).isGreaterThan(50f);
    assertThat(engine.recognise(new byte[512 * 512], 512, 512, 1.0)).isEmpty();
  }
}
