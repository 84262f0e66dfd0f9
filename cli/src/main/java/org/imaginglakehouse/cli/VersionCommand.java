package org.imaginglakehouse.cli;

import java.util.Map;
import org.imaginglakehouse.core.BuildInfo;
import org.imaginglakehouse.core.cli.LakehouseCommand;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;

/** {@code lakehouse version}: project, Spark, Delta, PixelMed and Tesseract versions. */
@Command(
    name = "version",
    footerHeading = "%nExamples:%n",
    footer = {"  lakehouse version", "  lakehouse --version"},
    description = "Print the versions of the lakehouse and its engines.")
final class VersionCommand extends LakehouseCommand {
  @Override
  protected int run() {
    for (Map.Entry<String, String> entry : BuildInfo.all().entrySet()) {
      context().out().printf("%-10s %s%n", entry.getKey(), entry.getValue());
    }
    return 0;
  }

  /** Backs {@code lakehouse --version}. */
  static final class Provider implements IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"lakehouse " + BuildInfo.projectVersion()};
    }
  }
}
