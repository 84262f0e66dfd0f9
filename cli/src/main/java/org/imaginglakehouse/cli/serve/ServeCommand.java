package org.imaginglakehouse.cli.serve;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.imaginglakehouse.core.cli.LakehouseCommand;
import org.imaginglakehouse.core.job.JobOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code lakehouse serve}: the analysts' Spark Connect endpoint over the de-identified zone. */
@Command(
    name = "serve",
    footerHeading = "%nExamples:%n",
    footer = {
      "  lakehouse serve --token-file ~/.lakehouse-serve-token",
      "  LAKEHOUSE_SERVE_TOKEN=... lakehouse serve --bind 0.0.0.0 --port 15002",
      "  lakehouse serve --grant-project brain_mri",
      "  lakehouse serve --users-file /etc/lakehouse/serve-users   # lines alice:<sha256 of token>",
      "",
      "Clients: SparkSession.builder.remote(\"sc://localhost:15002/;token=...;user_id=alice\")",
      "Only deidentified.* (and granted project_<P>.*) exist; reads outside them, writes, DDL and",
      "client-side functions are refused in the plan. Stops on SIGTERM or Ctrl-C. See",
      "docs/sql-endpoint.md."
    },
    description =
        "Run a Spark Connect server for notebooks over the de-identified zone (read-only).")
public final class ServeCommand extends LakehouseCommand {
  @Option(
      names = "--port",
      paramLabel = "N",
      description = "Port to listen on (default " + SqlServer.DEFAULT_PORT + ").")
  Integer port;

  @Option(
      names = "--bind",
      paramLabel = "ADDRESS",
      description =
          "Address to bind (default "
              + SqlServer.DEFAULT_BIND
              + "); a non-loopback address needs a token.")
  String bind;

  @Option(
      names = "--grant-project",
      split = ",",
      paramLabel = "P",
      description = "Also serve project_<P>.* (repeat or comma-separate).")
  List<String> projects;

  @Option(
      names = "--token-file",
      paramLabel = "FILE",
      description =
          "File holding the shared token clients must send (else env "
              + SqlServer.TOKEN_ENV
              + "; never a flag value).")
  String tokenFile;

  @Option(
      names = "--users-file",
      paramLabel = "FILE",
      description =
          "Per-user tokens: lines user:sha256-of-token. Users are audited by name and write into"
              + " their own scratch_<user> database. Instead of --token-file.")
  String usersFile;

  @Option(
      names = "--scratch-root",
      paramLabel = "DIR",
      description =
          "Where users' scratch databases live (default: scratch next to the"
              + " de-identified root).")
  String scratchRoot;

  @Option(
      names = "--health-port",
      paramLabel = "N",
      description = "Also answer GET http://ADDRESS:N/health (200 ok / 503 down) for probes.")
  Integer healthPort;

  @Option(
      names = "--tls-keystore",
      paramLabel = "FILE",
      description =
          "PKCS12 key store with the server's key and certificate: clients then connect with TLS"
              + " (;use_ssl=true). Password from env "
              + SqlServer.TLS_PASSWORD_ENV
              + " or config jobs.serve.tls-password-file.")
  String tlsKeystore;

  @Override
  protected int run() throws InterruptedException {
    Map<String, String> explicit = new LinkedHashMap<>();
    explicit.put(SqlServer.OPTION_PORT, port == null ? null : port.toString());
    explicit.put(SqlServer.OPTION_BIND, bind);
    explicit.put(
        SqlServer.OPTION_GRANT_PROJECTS, projects == null ? null : String.join(",", projects));
    explicit.put(SqlServer.OPTION_TOKEN_FILE, tokenFile);
    explicit.put(SqlServer.OPTION_USERS_FILE, usersFile);
    explicit.put(SqlServer.OPTION_SCRATCH_ROOT, scratchRoot);
    explicit.put(SqlServer.OPTION_TLS_KEYSTORE, tlsKeystore);
    explicit.put(SqlServer.OPTION_HEALTH_PORT, healthPort == null ? null : healthPort.toString());
    JobOptions options = JobOptions.of(context().config(), SqlServer.NAME, explicit);
    SqlServer server = new SqlServer(context().config(), options, System.getenv());
    CountDownLatch stopped = new CountDownLatch(1);
    Thread hook =
        new Thread(
            () -> {
              try {
                server.close();
              } finally {
                context().out().println("lakehouse serve: stopped");
                context().out().flush();
                stopped.countDown();
              }
            },
            "lakehouse-serve-shutdown");
    server.start();
    Runtime.getRuntime().addShutdownHook(hook);
    context()
        .out()
        .println(
            "lakehouse serve: Spark Connect listening on "
                + server.address()
                + " ("
                + String.join(", ", server.databases())
                + "; "
                + server.tables().size()
                + " tables; "
                + (!server.users().isEmpty()
                    ? server.users().size() + " users with their own tokens"
                    : server.authenticated() ? "token required" : "no token: loopback only")
                + (server.tls() ? "; TLS: connect with ;use_ssl=true" : "")
                + "). Stop with SIGTERM or Ctrl-C."
                + (server.healthPort() < 0
                    ? ""
                    : " Health: http://"
                        + server.bindAddress()
                        + ":"
                        + server.healthPort()
                        + "/health"));
    context().out().flush();
    stopped.await();
    return 0;
  }
}
