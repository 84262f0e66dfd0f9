package org.imaginglakehouse.transform;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeSet;
import org.imaginglakehouse.core.cli.LakehouseCommand;
import org.imaginglakehouse.transform.features.FeaturesCommand;
import org.imaginglakehouse.transform.ocr.OcrCommand;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class PixelCommandsTest {
  @Test
  void commandsAreDiscoverableAndParseTheirOptions() {
    Set<String> names = new TreeSet<>();
    for (LakehouseCommand c : ServiceLoader.load(LakehouseCommand.class)) {
      names.add(new CommandLine(c).getCommandName());
    }
    assertThat(names).contains("features", "ocr");
    CommandLine ocr = new CommandLine(new OcrCommand());
    ocr.parseArgs("--ocr-everything", "--passes", "inverted,as_is", "--max-frames", "4");
    assertThat(ocr.getCommandSpec().findOption("--policy")).isNotNull();
    CommandLine features = new CommandLine(new FeaturesCommand());
    features.parseArgs("--extractors", "texture", "--limit", "10");
    assertThat(features.getCommandSpec().findOption("--max-frames")).isNotNull();
  }
}
