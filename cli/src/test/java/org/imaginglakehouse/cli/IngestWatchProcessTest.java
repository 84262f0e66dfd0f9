package org.imaginglakehouse.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.imaginglakehouse.core.config.LakehouseConfig;
import org.imaginglakehouse.core.testing.SparkTestBase;
import org.imaginglakehouse.core.zone.Zone;
import org.imaginglakehouse.core.zone.ZoneLayout;
import org.imaginglakehouse.ingest.IngestJob;
import org.imaginglakehouse.ingest.IngestResult;
import org.imaginglakehouse.synth.GroundTruth;
import org.imaginglakehouse.synth.SynthOptions;
import org.imaginglakehouse.synth.SyntheticPacs;
import org.junit.jupiter.api.Test;

/**
 * {@code lakehouse ingest --watch} as its own process, as systemd runs it, on a synthetic PACS
 * dropped into a landing area feed by feed: a file written slowly is read only once complete, a
 * kill -9 in a batch is made good by the next start, SIGTERM in a batch ends the process after it
 * with exit code 0, and the tables equal one ingest of the same files.
 */
class IngestWatchProcessTest extends SparkTestBase {
  private static final Pattern DONE =
      Pattern.compile(
          "^watch batch (\\d+): run (\\S+) (\\S+) in [0-9.]+ s; files (\\d+), read (\\d+),"
              + " unchanged (\\d+), instances (\\d+), duplicates (\\d+), rejected (\\d+)");
  private static final Pattern STARTED =
      Pattern.compile("^watch batch (\\d+): (\\d+) settled file\\(s\\), ingesting");

  /** A running watcher and every line it printed. */
  private static final class Watcher {
    final Process process;
    final List<String> lines = new CopyOnWriteArrayList<>();

    Watcher(String home, Path landing) throws Exception {
      process =
          CliProcess.start(
              List.of(),
              "--home",
              home,
              "ingest",
              "--source",
              landing.toString(),
              "--watch",
              "--poll-seconds",
              "0.5",
              "--settle-seconds",
              "2");
      BufferedReader reader =
          new BufferedReader(
              new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
      Thread t =
          new Thread(
              () -> {
                try {
                  for (String line; (line = reader.readLine()) != null; ) {
                    lines.add(line);
                    if (line.startsWith("watch")) {
                      System.out.println(
                          java.time.LocalTime.now() + " watcher " + process.pid() + ": " + line);
                    }
                  }
                } catch (java.io.IOException e) {
                  lines.add("(output closed: " + e + ")");
                }
              });
      t.setDaemon(true);
      t.start();
    }

    /** The first line from index {@code from} on that matches, waiting up to 3 minutes. */
    Matcher await(Pattern pattern, int from) throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
      while (System.nanoTime() < deadline) {
        for (int i = from; i < lines.size(); i++) {
          Matcher m = pattern.matcher(lines.get(i));
          if (m.find()) {
            return m;
          }
        }
        assertThat(process.isAlive() || lines.stream().anyMatch(pattern.asPredicate()))
            .as("watcher ended early:%n%s", String.join("\n", lines))
            .isTrue();
        Thread.sleep(100);
      }
      throw new AssertionError("no line " + pattern + " in:\n" + String.join("\n", lines));
    }

    /** Waits until the batches' read counts add up to {@code files}; returns the line count. */
    int awaitRead(long files) throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
      while (System.nanoTime() < deadline) {
        if (batches().stream().mapToLong(m -> Long.parseLong(m.group(5))).sum() >= files) {
          return lines.size();
        }
        assertThat(process.isAlive()).as(String.join("\n", lines)).isTrue();
        Thread.sleep(100);
      }
      throw new AssertionError("not " + files + " files read:\n" + String.join("\n", lines));
    }

    List<Matcher> batches() {
      List<Matcher> out = new ArrayList<>();
      for (String line : lines) {
        Matcher m = DONE.matcher(line);
        if (m.find()) {
          out.add(m);
        }
      }
      return out;
    }
  }

  /** Copies {@code files} from under {@code from} to the same relative paths under {@code to}. */
  static List<Path> copy(List<Path> files, Path from, Path to) throws Exception {
    List<Path> out = new ArrayList<>();
    for (Path f : files) {
      Path target = to.resolve(from.relativize(f));
      Files.createDirectories(target.getParent());
      Files.copy(f, target);
      out.add(target);
    }
    return out;
  }

  @Test
  void feedsAreIngestedOnceSettledAndKillOrStopLeaveTheTablesOfOneCleanIngest() throws Exception {
    Path synth = tempDir.resolve("synth");
    SyntheticPacs.generate(
        synth,
        SynthOptions.builder()
            .patients(3)
            .seed(11)
            .imagesScale(0.05)
            .junkRate(0)
            .pixelSize(SynthOptions.PixelSize.TINY)
            .threads(1)
            .build());
    Path root = GroundTruth.read(synth).dicomRoot();
    List<Path> files;
    try (Stream<Path> s = Files.walk(root)) {
      files = s.filter(Files::isRegularFile).sorted().toList();
    }
    assertThat(files).hasSizeGreaterThan(12);
    int third = files.size() / 3;
    List<Path> feedA = files.subList(0, third);
    Path slow = files.get(third);
    List<Path> feedB = files.subList(third + 1, 2 * third);
    List<Path> feedC = files.subList(2 * third, files.size());
    Path landing = Files.createDirectories(tempDir.resolve("landing"));
    LakehouseConfig watchConfig = newHomeConfig("home-watch");
    String home = watchConfig.home();

    Watcher first = new Watcher(home, landing);
    first.await(Pattern.compile("^watch: ready in "), 0);

    // Feed A: plain copies.
    copy(feedA, root, landing.resolve("a"));
    int seen = first.awaitRead(feedA.size());

    // Feed B, with one file that is written in pieces over more than two settle times, each
    // pause shorter than the settle time: it must not be read before its last byte.
    copy(feedB, root, landing.resolve("b"));
    byte[] bytes = Files.readAllBytes(slow);
    Path slowCopy = landing.resolve("b").resolve(root.relativize(slow));
    Files.createDirectories(slowCopy.getParent());
    int pieces = 8;
    try (OutputStream out = Files.newOutputStream(slowCopy)) {
      for (int i = 0; i < pieces; i++) {
        int from = bytes.length * i / pieces;
        int to = bytes.length * (i + 1) / pieces;
        out.write(bytes, from, to - from);
        out.flush();
        Thread.sleep(700);
      }
    }
    Timestamp written = new Timestamp(Files.getLastModifiedTime(slowCopy).toMillis() / 1000 * 1000);
    first.awaitRead(feedA.size() + feedB.size() + 1);
    assertThat(first.lines.subList(seen, first.lines.size()))
        .as("feed B is at least one batch of its own")
        .anyMatch(DONE.asPredicate());
    ZoneLayout layout = ZoneLayout.from(watchConfig);
    Row slowIndexed =
        table(layout, "file_index")
            .where(org.apache.spark.sql.functions.col("file_path").equalTo(slowCopy.toString()))
            .select("file_size", "status", "indexed_at")
            .first();
    assertThat(slowIndexed.getLong(0)).isEqualTo(bytes.length);
    assertThat(slowIndexed.getString(1)).isEqualTo("ingested");
    assertThat(slowIndexed.getTimestamp(2)).isAfterOrEqualTo(written);
    // Had a piece been read, its batch would have quarantined it (truncated).
    assertThat(first.batches()).allSatisfy(m -> assertThat(m.group(9)).isEqualTo("0"));
    assertThat(first.batches()).allSatisfy(m -> assertThat(m.group(3)).isEqualTo("SUCCEEDED"));

    // Feed C: kill -9 while its batch runs.
    int before = first.lines.size();
    copy(feedC, root, landing.resolve("c"));
    first.await(STARTED, before);
    Thread.sleep(1500);
    first.process.destroyForcibly();
    assertThat(first.process.waitFor(1, TimeUnit.MINUTES)).isTrue();

    // The next start ingests what the killed batch did not commit; SIGTERM in its first batch
    // lets that batch finish, then the process ends with exit code 0.
    Watcher second = new Watcher(home, landing);
    second.await(STARTED, 0);
    // Not Process.destroy(): it sends SIGTERM but also closes the pipe the output comes through.
    assertThat(
            new ProcessBuilder("kill", "-TERM", Long.toString(second.process.pid()))
                .start()
                .waitFor())
        .isZero();
    assertThat(second.process.waitFor(3, TimeUnit.MINUTES)).isTrue();
    second.await(Pattern.compile("^watch: stopped after "), 0);
    String out = String.join("\n", second.lines);
    assertThat(second.process.exitValue()).as(out).isZero();
    assertThat(out)
        .contains("watch: SIGTERM received, stopping after the batch in progress")
        .contains("watch: stopped after 1 batch(es): 0 failed, 0 with quarantined files");
    assertThat(second.batches()).hasSize(1);
    Matcher last = second.batches().get(0);
    assertThat(last.group(3)).isEqualTo("SUCCEEDED");
    assertThat(Long.parseLong(last.group(4))).isEqualTo(files.size());

    // One ingest of the same landing area into a fresh home.
    LakehouseConfig cleanConfig = newHomeConfig("home-clean");
    IngestResult clean =
        new IngestJob(
                spark(), cleanConfig, IngestJob.options(cleanConfig, landing.toString(), Map.of()))
            .execute();
    assertThat(clean.instances() + clean.duplicates() + clean.rejected() + clean.skipped())
        .isEqualTo(files.size());
    ZoneLayout cleanLayout = ZoneLayout.from(cleanConfig);
    for (Map.Entry<String, List<String>> t :
        Map.of(
                "instances", List.of("ingest_run_id", "ingest_time"),
                "ingest_errors", List.of("run_id", "recorded_at"),
                "file_index", List.of("run_id", "indexed_at"))
            .entrySet()) {
      String[] drop = t.getValue().toArray(String[]::new);
      Dataset<Row> watched = table(layout, t.getKey()).drop(drop);
      Dataset<Row> once = table(cleanLayout, t.getKey()).drop(drop);
      assertThat(watched.count()).as(t.getKey()).isEqualTo(once.count());
      assertThat(watched.exceptAll(once).count()).as(t.getKey()).isZero();
      assertThat(once.exceptAll(watched).count()).as(t.getKey()).isZero();
    }
    assertThat(table(layout, "instances").count()).isEqualTo(clean.instances());
    // Every batch has its job_runs row, marked as a watcher's: the first process's start-up run
    // and batches, the killed batch (RUNNING: it was killed), the second's start-up run and batch.
    List<String> statuses =
        table(layout, "job_runs")
            .where("job = 'ingest' AND options['watch'] = 'true'")
            .select("status")
            .as(org.apache.spark.sql.Encoders.STRING())
            .collectAsList();
    // (+4 if the kill fell after the batch's last commit but before its line was read.)
    assertThat(statuses.stream().filter("SUCCEEDED"::equals).count())
        .isBetween(first.batches().size() + 3L, first.batches().size() + 4L);
    assertThat(statuses).allMatch(st -> st.equals("SUCCEEDED") || st.equals("RUNNING"));
  }

  private static Dataset<Row> table(ZoneLayout layout, String name) {
    return spark().read().format("delta").load(layout.table(Zone.IDENTIFIABLE, name));
  }
}
