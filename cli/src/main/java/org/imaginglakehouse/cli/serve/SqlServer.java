package org.imaginglakehouse.cli.serve;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.SparkSessionExtensions;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.connect.service.SparkConnectService;
import org.apache.spark.sql.connect.service.SparkConnectService$;
import org.imaginglakehouse.core.LakehouseException;
import org.imaginglakehouse.core.config.LakehouseConfig;
import org.imaginglakehouse.core.config.Secret;
import org.imaginglakehouse.core.config.Secrets;
import org.imaginglakehouse.core.job.JobOptions;
import org.imaginglakehouse.core.spark.LakehouseSessions;
import org.imaginglakehouse.core.spark.ZoneCatalog;
import org.imaginglakehouse.core.zone.Zone;
import org.imaginglakehouse.core.zone.ZoneLayout;
import scala.Function1;
import scala.Option;
import scala.runtime.AbstractFunction1;
import scala.runtime.BoxedUnit;

/**
 * {@code lakehouse serve}: a Spark Connect server inside our Spark session (Delta, our SQL
 * functions) that registers only the de-identified zone and the projects granted to it, and checks
 * every plan of every client session with {@link ServeAccess}. Options come from {@code
 * jobs.serve.<option>} in the config, overridden by the command's flags.
 */
public final class SqlServer implements AutoCloseable {
  /** What the server runs as Python: nothing, so no client Python code can run in it. */
  public static final String NO_PYTHON = "/nonexistent/lakehouse-serve-runs-no-python";

  /** The variables Spark takes a Python worker's executable from. */
  public static final List<String> PYTHON_ENV = List.of("PYSPARK_PYTHON", "PYSPARK_DRIVER_PYTHON");

  public static final String NAME = "serve";

  /** Port clients connect to (Spark Connect's usual port). */
  public static final String OPTION_PORT = "port";

  public static final int DEFAULT_PORT = 15002;

  /** Address the server binds to; anything but loopback needs a token. */
  public static final String OPTION_BIND = "bind";

  public static final String DEFAULT_BIND = "127.0.0.1";

  /** Project zones served besides the de-identified zone, comma-separated. */
  public static final String OPTION_GRANT_PROJECTS = "grant-projects";

  public static final String DEFAULT_GRANT_PROJECTS = "";

  /** File holding the shared token clients send ({@code Authorization: Bearer}). */
  public static final String OPTION_TOKEN_FILE = "token-file";

  /** Environment variable holding the token when no file is given. */
  public static final String TOKEN_ENV = "LAKEHOUSE_SERVE_TOKEN";

  static final String CONNECT_PORT = "spark.connect.grpc.binding.port";
  static final String CONNECT_ADDRESS = "spark.connect.grpc.binding.address";
  static final String CONNECT_TOKEN = "spark.connect.authenticate.token";

  private final LakehouseConfig config;
  private final Map<String, String> env;
  private final ZoneLayout layout;
  private final int port;
  private final String bind;
  private final List<String> projects;
  private final Secret token;
  private SparkSession root;
  private String address;
  private List<ZoneCatalog.TableRef> tables;

  public SqlServer(LakehouseConfig config, JobOptions options, Map<String, String> env) {
    this.config = config;
    this.env = env;
    this.layout = ZoneLayout.from(config);
    this.port = options.getInt(OPTION_PORT, DEFAULT_PORT);
    if (port < 0 || port > 65535) {
      throw new LakehouseException("--port must be between 0 and 65535, not " + port);
    }
    this.bind = options.get(OPTION_BIND, DEFAULT_BIND);
    this.projects = new ArrayList<>();
    for (String p : options.get(OPTION_GRANT_PROJECTS, DEFAULT_GRANT_PROJECTS).split(",")) {
      if (!p.isBlank()) {
        projects.add(ZoneLayout.checkName("project", p.strip()));
      }
    }
    this.token = token(config, options, env);
    if (token == null && !isLoopback(bind)) {
      throw new LakehouseException(
          "Refusing to serve on "
              + bind
              + " without a token: anyone who can reach that address could query the"
              + " de-identified zone. Give --token-file FILE or set "
              + TOKEN_ENV
              + ", or bind to 127.0.0.1.");
    }
  }

  private static Secret token(LakehouseConfig config, JobOptions options, Map<String, String> env) {
    String key = "jobs." + NAME + "." + OPTION_TOKEN_FILE;
    String file = options.get(OPTION_TOKEN_FILE, null);
    LakehouseConfig withFile = file == null ? config : config.with(key, file);
    return Secrets.resolve(withFile, env, key, List.of(TOKEN_ENV)).orElse(null);
  }

  static boolean isLoopback(String host) {
    try {
      return InetAddress.getByName(host).isLoopbackAddress();
    } catch (IOException e) {
      throw new LakehouseException("Cannot resolve bind address " + host + ": " + e.getMessage());
    }
  }

  /** Starts Spark and the Connect server; returns once clients can connect. */
  public synchronized void start() {
    checkPortFree();
    Map<String, String> roots = new LinkedHashMap<>();
    Set<String> databases = new TreeSet<>();
    roots.put(Zone.DEIDENTIFIED.id(), layout.root(Zone.DEIDENTIFIED));
    databases.add(Zone.DEIDENTIFIED.id());
    for (String project : projects) {
      roots.put(ZoneLayout.projectDatabase(project), layout.projectRoot(project));
      databases.add(ZoneLayout.projectDatabase(project));
    }
    Guard guard = new Guard(new ServeAccess(roots, databases));
    // Fail closed on client Python: the server needs none (Python UDFs are refused), but a Python
    // data source makes Spark start a worker while the plan is analysed, before the check, and
    // that worker's executable comes from the environment only. So the environment must name
    // no Python (bin/lakehouse sets it for serve).
    for (String variable : PYTHON_ENV) {
      if (!NO_PYTHON.equals(env.get(variable))) {
        throw new LakehouseException(
            "lakehouse serve runs no client Python: start it with "
                + String.join("=" + NO_PYTHON + " ", PYTHON_ENV)
                + "="
                + NO_PYTHON
                + " in its environment (bin/lakehouse sets them for serve)");
      }
    }
    SparkConf conf = LakehouseSessions.sparkConf(config, env);
    conf.set(CONNECT_PORT, Integer.toString(port));
    conf.set(CONNECT_ADDRESS, bind);
    // A server has no console to draw stage progress bars on.
    conf.set("spark.ui.showConsoleProgress", "false");
    conf.set("spark.pyspark.python", NO_PYTHON);
    conf.set("spark.pyspark.driver.python", NO_PYTHON);
    if (token != null) {
      conf.set(CONNECT_TOKEN, token.reveal());
    }
    root = SparkSession.builder().config(conf).withExtensions(guard).getOrCreate();
    guard.trusted = root;
    ZoneCatalog catalog = new ZoneCatalog(root, layout, Set.of(Zone.DEIDENTIFIED));
    tables = new ArrayList<>(catalog.registerAll());
    for (String project : projects) {
      tables.addAll(catalog.registerProject(project));
    }
    try {
      SparkConnectService.start(root.sparkContext());
    } catch (RuntimeException e) {
      root.stop();
      throw new LakehouseException(
          "Cannot start Spark Connect on " + bind + ":" + port + ": " + e.getMessage(), e);
    }
    // The Python client sends a token in plaintext only to the host name localhost (else TLS).
    String host = isLoopback(bind) ? "localhost" : bind;
    address = "sc://" + host + ":" + SparkConnectService$.MODULE$.localPort();
  }

  private void checkPortFree() {
    if (port == 0) {
      return;
    }
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(bind, port));
    } catch (IOException e) {
      throw new LakehouseException(
          "Port "
              + port
              + " on "
              + bind
              + " is taken (another lakehouse serve or Spark Connect server?): stop it or give"
              + " --port N.");
    }
  }

  /** {@code sc://host:port} clients connect to; set by {@link #start()}. */
  public String address() {
    return address;
  }

  /** The SQL databases served, e.g. {@code deidentified, project_x}. */
  public List<String> databases() {
    List<String> out = new ArrayList<>();
    out.add(Zone.DEIDENTIFIED.id());
    projects.forEach(p -> out.add(ZoneLayout.projectDatabase(p)));
    return out;
  }

  /** Tables registered at start. */
  public List<ZoneCatalog.TableRef> tables() {
    return tables;
  }

  public boolean authenticated() {
    return token != null;
  }

  /** Stops the Connect server, then Spark. */
  @Override
  public synchronized void close() {
    if (root == null) {
      return;
    }
    try {
      SparkConnectService.stop(Option.empty(), Option.empty());
    } catch (RuntimeException e) {
      // already stopped with Spark (its own shutdown hook may run first)
    }
    try {
      root.stop();
    } finally {
      root = null;
    }
  }

  /** Injects the plan check into every session; the server's own session is trusted. */
  static final class Guard extends AbstractFunction1<SparkSessionExtensions, BoxedUnit> {
    private final ServeAccess access;
    private volatile SparkSession trusted;

    Guard(ServeAccess access) {
      this.access = access;
    }

    @Override
    public BoxedUnit apply(SparkSessionExtensions extensions) {
      extensions.injectCheckRule(new CheckRule(this));
      return BoxedUnit.UNIT;
    }

    void check(SparkSession session, LogicalPlan plan) {
      if (session != trusted) {
        access.check(session, plan);
      }
    }
  }

  private static final class CheckRule
      extends AbstractFunction1<SparkSession, Function1<LogicalPlan, BoxedUnit>> {
    private final Guard guard;

    CheckRule(Guard guard) {
      this.guard = guard;
    }

    @Override
    public Function1<LogicalPlan, BoxedUnit> apply(SparkSession session) {
      return new AbstractFunction1<>() {
        @Override
        public BoxedUnit apply(LogicalPlan plan) {
          guard.check(session, plan);
          return BoxedUnit.UNIT;
        }
      };
    }
  }
}
