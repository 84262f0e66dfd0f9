package org.imaginglakehouse.synth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.imaginglakehouse.core.LakehouseException;
import org.imaginglakehouse.core.cli.CliContext;
import org.imaginglakehouse.core.config.LakehouseConfig;
import org.imaginglakehouse.core.spark.ZoneCatalog;
import org.imaginglakehouse.core.zone.ZoneLayout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class SynthCommandTest {
  @TempDir Path dir;

  /** The synth command needs only the output streams of the CLI context. */
  static final class StreamsOnly implements CliContext {
    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    final PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8);

    @Override
    public LakehouseConfig config() {
      throw new UnsupportedOperationException("synth needs no config");
    }

    @Override
    public ZoneLayout layout() {
      throw new UnsupportedOperationException();
    }

    @Override
    public SparkSession spark() {
      throw new UnsupportedOperationException("synth needs no Spark");
    }

    @Override
    public List<ZoneCatalog.TableRef> tables() {
      return List.of();
    }

    @Override
    public List<ZoneCatalog.TableRef> refreshTables() {
      return List.of();
    }

    @Override
    public PrintStream out() {
      return ps;
    }

    @Override
    public PrintStream err() {
      return ps;
    }

    @Override
    public boolean verbose() {
      return false;
    }
  }

  @Test
  void commandLineGeneratesAnArchiveWithTheRequestedOptions() throws Exception {
    SynthCommand cmd = new SynthCommand();
    StreamsOnly ctx = new StreamsOnly();
    cmd.attach(ctx);
    Path out = dir.resolve("pacs");
    int exit =
        new CommandLine(cmd)
            .execute(
                "--out",
                out.toString(),
                "--patients",
                "5",
                "--seed",
                "3",
                "--layout",
                "zip",
                "--pixel-size",
                "tiny",
                "--images-scale",
                "0.1",
                "--modality-mix",
                "CT=1,US=1",
                "--no-parquet",
                "--threads",
                "1");
    assertThat(exit).isZero();
    assertThat(ctx.out.toString(StandardCharsets.UTF_8)).contains("Synthetic PACS written to");
    GroundTruth gt = GroundTruth.read(out);
    assertThat(gt.instances()).isNotEmpty();
    assertThat(gt.instances()).allSatisfy(f -> assertThat(f.path()).contains(".zip!"));
    assertThat(gt.instances().stream().map(GroundTruth.FileEntry::modality).distinct())
        .isSubsetOf("CT", "US", "MR", "MG"); // MR, MG: forced clinical imaging
    assertThat(gt.linkedDir().resolve("smr06.csv")).exists();
    assertThat(gt.linkedDir().resolve("smr06.parquet")).doesNotExist();
  }

  @Test
  void badOptionsSayWhatToDo() {
    assertThatThrownBy(() -> SynthCommand.parseMix("CT=1,XX=2"))
        .isInstanceOf(LakehouseException.class)
        .hasMessageContaining("Unknown modality XX");
    assertThatThrownBy(() -> SynthOptions.builder().patients(0).build())
        .hasMessageContaining("--patients");
  }

  @Test
  void refusesANonEmptyOutputDirectory() throws Exception {
    java.nio.file.Files.writeString(dir.resolve("x.txt"), "x");
    assertThatThrownBy(
            () -> SyntheticPacs.generate(dir, SynthOptions.builder().patients(1).build()))
        .isInstanceOf(LakehouseException.class)
        .hasMessageContaining("not empty");
  }
}
