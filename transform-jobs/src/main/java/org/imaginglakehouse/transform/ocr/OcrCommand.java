package org.imaginglakehouse.transform.ocr;

import java.util.LinkedHashMap;
import java.util.Map;
import org.imaginglakehouse.core.cli.LakehouseCommand;
import org.imaginglakehouse.core.job.JobOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code lakehouse ocr}: burned-in text detection. Tesseract runs with OpenMP: set {@code
 * OMP_THREAD_LIMIT=1} in the environment of the driver and executors (bin/lakehouse and the
 * surefire configuration do; on a cluster set {@code spark.executorEnv.OMP_THREAD_LIMIT=1}).
 */
@Command(
    name = "ocr",
    footerHeading = "%nExamples:%n",
    footer = {
      "  lakehouse ocr",
      "  lakehouse ocr --max-frames 4 --limit 500",
      "  lakehouse ocr --ocr-everything --stop-after-text"
    },
    description =
        "OCR burned-in text of new instances into identifiable.pixel_text and"
            + " identifiable.pixel_text_flags.")
public final class OcrCommand extends LakehouseCommand {
  @Option(names = "--policy", description = "Candidate policy YAML (default: built-in policy).")
  String policy;

  @Option(names = "--ocr-everything", description = "OCR every image, ignoring the policy.")
  Boolean everything;

  @Option(
      names = "--passes",
      description = "Comma-separated passes (default inverted,windowed,thresholded,as_is,panels).")
  String passes;

  @Option(
      names = "--stop-after-text",
      description = "Skip a frame's remaining passes once one pass found text.")
  Boolean stopAfterText;

  @Option(names = "--max-frames", description = "Frames OCRed per instance (default 16; 0 = all).")
  Integer maxFrames;

  @Option(names = "--text-confidence", description = "Confidence for a word to count as text.")
  Double textConfidence;

  @Option(names = "--tessdata", description = "Tesseract data directory.")
  String tessdata;

  @Option(names = "--batch-size", description = "Instances per committed batch (default 2000).")
  Integer batchSize;

  @Option(names = "--limit", description = "Process at most this many new instances.")
  Long limit;

  @Option(
      names = "--keep-outdated",
      description =
          "Do not OCR again instances whose flags were written with other OCR settings or an older"
              + " detector (by default they are read again).")
  Boolean keepOutdated;

  @Override
  protected int run() {
    Map<String, String> explicit = new LinkedHashMap<>();
    explicit.put(OcrJob.OPTION_POLICY, policy);
    explicit.put(OcrJob.OPTION_OCR_EVERYTHING, str(everything));
    explicit.put(OcrJob.OPTION_PASSES, passes);
    explicit.put(OcrJob.OPTION_STOP_AFTER_TEXT, str(stopAfterText));
    explicit.put(OcrJob.OPTION_MAX_FRAMES, str(maxFrames));
    explicit.put(OcrJob.OPTION_TEXT_CONFIDENCE, str(textConfidence));
    explicit.put(OcrJob.OPTION_TESSDATA, tessdata);
    explicit.put(OcrJob.OPTION_BATCH_SIZE, str(batchSize));
    explicit.put(OcrJob.OPTION_LIMIT, str(limit));
    explicit.put(OcrJob.OPTION_KEEP_OUTDATED, str(keepOutdated));
    OcrJob job =
        new OcrJob(
            context().spark(),
            context().config(),
            JobOptions.of(context().config(), OcrJob.NAME, explicit));
    int code = report(job.execute());
    context().refreshTables();
    return code;
  }

  private static String str(Object o) {
    return o == null ? null : o.toString();
  }
}
