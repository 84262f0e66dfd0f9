package org.imaginglakehouse.transform.ocr;

import java.io.Serializable;

/**
 * One word Tesseract read: its text, confidence (0-100), box in the coordinates of the original
 * (not upscaled) frame, and the index of the text line it belongs to within one OCR call.
 */
public record OcrWord(
    String text, float confidence, int left, int top, int width, int height, int line)
    implements Serializable {}
