package org.imaginglakehouse.cli.serve;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
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
import scala.Option;

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

  /** File of per-user tokens ({@link UserTokens}): users are named, audited, get scratch areas. */
  public static final String OPTION_USERS_FILE = "users-file";

  /** Root under which each user's scratch database lives ({@code <root>/<user>}). */
  public static final String OPTION_SCRATCH_ROOT = "scratch-root";

  /** How often the audit rows queued are appended, in milliseconds. */
  public static final String OPTION_AUDIT_FLUSH_MS = "audit-flush-ms";

  public static final long DEFAULT_AUDIT_FLUSH_MS = 5_000;

  /** PKCS12 key store of the server's TLS key and certificate; TLS is on when given. */
  public static final String OPTION_TLS_KEYSTORE = "tls-keystore";

  /** Environment variable holding the key store's password (else the file named by config). */
  public static final String TLS_PASSWORD_ENV = "LAKEHOUSE_SERVE_TLS_PASSWORD";

  /** Port of the HTTP health check ({@code GET /health}); none unless given. */
  public static final String OPTION_HEALTH_PORT = "health-port";

  static final String CONNECT_PORT = "spark.connect.grpc.binding.port";
  static final String CONNECT_ADDRESS = "spark.connect.grpc.binding.address";
  static final String CONNECT_TOKEN = "spark.connect.authenticate.token";
  static final String CONNECT_INTERCEPTORS = "spark.connect.grpc.interceptor.classes";

  private final LakehouseConfig config;
  private final Map<String, String> env;
  private final ZoneLayout layout;
  private final int port;
  private final String bind;
  private final List<String> projects;
  private final Secret token;
  private final UserTokens users;
  private final String scratchRoot;
  private final long auditFlushMillis;
  private final int healthPort;
  private HealthEndpoint health;
  private final SessionCloses sessionCloses = new SessionCloses();
  private final Path tlsKeystore;
  private final Secret tlsPassword;
  private TlsFront tls;
  private SparkSession root;
  private ServeAudit audit;
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
    String usersFile = options.get(OPTION_USERS_FILE, null);
    this.users = usersFile == null ? null : UserTokens.read(Path.of(usersFile));
    if (users != null && token != null) {
      throw new LakehouseException(
          "Give either a users file (per-user tokens) or a shared token ("
              + TOKEN_ENV
              + ", --token-file), not both");
    }
    this.scratchRoot = options.get(OPTION_SCRATCH_ROOT, defaultScratchRoot(layout));
    this.auditFlushMillis = options.getLong(OPTION_AUDIT_FLUSH_MS, DEFAULT_AUDIT_FLUSH_MS);
    String keystore = options.get(OPTION_TLS_KEYSTORE, null);
    this.tlsKeystore = keystore == null ? null : Path.of(keystore);
    this.tlsPassword =
        keystore == null
            ? null
            : Secrets.resolve(
                    config, env, "jobs." + NAME + ".tls-password-file", List.of(TLS_PASSWORD_ENV))
                .orElseThrow(
                    () ->
                        new LakehouseException(
                            "--tls-keystore needs the key store's password: set "
                                + TLS_PASSWORD_ENV
                                + " or config jobs.serve.tls-password-file"));
    this.healthPort = options.getInt(OPTION_HEALTH_PORT, -1);
    if (healthPort > 65535) {
      throw new LakehouseException("--health-port must be between 0 and 65535, not " + healthPort);
    }
    if (token == null && users == null && !isLoopback(bind)) {
      throw new LakehouseException(
          "Refusing to serve on "
              + bind
              + " without a token: anyone who can reach that address could query the"
              + " de-identified zone. Give --users-file FILE or --token-file FILE or set "
              + TOKEN_ENV
              + ", or bind to 127.0.0.1.");
    }
  }

  /** {@code scratch} next to the de-identified root: outside every served zone. */
  static String defaultScratchRoot(ZoneLayout layout) {
    org.apache.hadoop.fs.Path deidentified =
        new org.apache.hadoop.fs.Path(layout.root(Zone.DEIDENTIFIED));
    org.apache.hadoop.fs.Path parent = deidentified.getParent();
    return new org.apache.hadoop.fs.Path(parent == null ? deidentified : parent, "scratch")
        .toString();
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
    if (healthPort >= 0) {
      // Open first: a taken health port stops the start before Spark, and probes see "starting".
      health = new HealthEndpoint(bind, healthPort, this::healthReport);
    }
    Map<String, String> roots = new LinkedHashMap<>();
    Set<String> databases = new TreeSet<>();
    roots.put(Zone.DEIDENTIFIED.id(), layout.root(Zone.DEIDENTIFIED));
    databases.add(Zone.DEIDENTIFIED.id());
    for (String project : projects) {
      roots.put(ZoneLayout.projectDatabase(project), layout.projectRoot(project));
      databases.add(ZoneLayout.projectDatabase(project));
    }
    Map<String, String> scratch = new TreeMap<>();
    if (users != null) {
      for (String user : users.users()) {
        scratch.put(user, scratchRoot + "/" + user);
      }
    }
    String auditLocation = layout.table(Zone.DEIDENTIFIED, ServeAudit.TABLE);
    ServeAccess access = new ServeAccess(roots, databases, scratch, List.of(auditLocation));
    ServeCohorts cohorts = new ServeCohorts(config, access, users());
    access.allowCohortsOf(cohorts);
    ServeGuard guard = new ServeGuard(access, cohorts);
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
    // With TLS, clients reach Spark Connect through TlsFront; Connect itself stays on loopback.
    conf.set(CONNECT_PORT, tlsKeystore == null ? Integer.toString(port) : "0");
    conf.set(CONNECT_ADDRESS, tlsKeystore == null ? bind : "127.0.0.1");
    // A server has no console to draw stage progress bars on.
    conf.set("spark.ui.showConsoleProgress", "false");
    conf.set("spark.pyspark.python", NO_PYTHON);
    conf.set("spark.pyspark.driver.python", NO_PYTHON);
    if (token != null) {
      conf.set(CONNECT_TOKEN, token.reveal());
    }
    // Spark runs the interceptors listed last first: the token check, the AnalyzePlan audit, then
    // the refusal of artifacts, Python data sources and sources Spark opens before the check.
    String interceptors = ConnectRequestGuard.class.getName() + "," + AnalyzeAudit.class.getName();
    conf.set(
        CONNECT_INTERCEPTORS,
        users == null ? interceptors : interceptors + "," + UserAuthInterceptor.class.getName());
    JdbcConnections.disableAll(conf);
    root = SparkSession.builder().config(conf).withExtensions(guard).getOrCreate();
    guard.trust(root);
    JdbcConnections.checkDisabled();
    ZoneCatalog catalog = new ZoneCatalog(root, layout, Set.of(Zone.DEIDENTIFIED));
    tables = new ArrayList<>(catalog.registerAll());
    for (String project : projects) {
      tables.addAll(catalog.registerProject(project));
    }
    scratch.forEach(
        (user, location) -> registerScratch(ServeAccess.scratchDatabase(user), location));
    audit = new ServeAudit(root, auditLocation, users != null, auditFlushMillis);
    root.sparkContext().addSparkListener(audit);
    root.sparkContext().addSparkListener(sessionCloses);
    cohorts.serveFrom(root, audit);
    RefusingListener.install(audit);
    if (users != null) {
      UserAuthInterceptor.install(users);
    }
    try {
      SparkConnectService.start(root.sparkContext());
    } catch (RuntimeException e) {
      audit.close();
      root.stop();
      if (health != null) {
        health.close();
      }
      throw new LakehouseException(
          "Cannot start Spark Connect on " + bind + ":" + port + ": " + e.getMessage(), e);
    }
    int connectPort = SparkConnectService$.MODULE$.localPort();
    if (tlsKeystore != null) {
      try {
        tls =
            new TlsFront(bind, port, tlsKeystore, tlsPassword.reveal().toCharArray(), connectPort);
      } catch (RuntimeException e) {
        close();
        throw e;
      }
    }
    // The Python client sends a token in plaintext only to the host name localhost (else TLS).
    String host = isLoopback(bind) ? "localhost" : bind;
    address = "sc://" + host + ":" + (tls == null ? connectPort : tls.port());
  }

  /**
   * Creates a user's scratch database at its root (the in-memory catalog forgets it on restart) and
   * registers the Delta tables already there.
   */
  private void registerScratch(String database, String location) {
    root.sql("CREATE DATABASE IF NOT EXISTS " + database + " LOCATION '" + escape(location) + "'");
    org.apache.hadoop.fs.Path dir = new org.apache.hadoop.fs.Path(location);
    try {
      org.apache.hadoop.fs.FileSystem fs =
          dir.getFileSystem(root.sparkContext().hadoopConfiguration());
      if (!fs.exists(dir)) {
        return;
      }
      for (org.apache.hadoop.fs.FileStatus child : fs.listStatus(dir)) {
        String name = child.getPath().getName();
        if (child.isDirectory()
            && name.matches("[a-z][a-z0-9_]*")
            && ZoneCatalog.hasCommit(fs, child.getPath())) {
          root.sql(
              "CREATE TABLE IF NOT EXISTS "
                  + database
                  + "."
                  + name
                  + " USING delta LOCATION '"
                  + escape(child.getPath().toString())
                  + "'");
        }
      }
    } catch (IOException e) {
      throw new LakehouseException(
          "Cannot list the scratch area " + location + ": " + e.getMessage(), e);
    }
  }

  private static String escape(String location) {
    return location.replace("\\", "\\\\").replace("'", "\\'");
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

  /** The health check's report; throws with what is down. */
  private String healthReport() {
    SparkSession session = root;
    if (address == null || session == null) {
      throw new LakehouseException("starting");
    }
    if (session.sparkContext().isStopped()) {
      throw new LakehouseException("Spark is stopped");
    }
    org.sparkproject.connect.grpc.Server connect = SparkConnectService$.MODULE$.server();
    if (connect == null || connect.isShutdown()) {
      throw new LakehouseException("the Spark Connect service is stopped");
    }
    session.sql("SELECT 1").collect(); // the driver answers queries
    return String.format(
        "{\"status\":\"ok\",\"connect\":\"%s\",\"tables\":%d,\"users\":%d,"
            + "\"audit_rows_written\":%d,\"sessions_open\":%d,\"sessions_closed\":%d}",
        address,
        tables.size(),
        users().size(),
        audit.written(),
        SparkConnectService$.MODULE$.sessionManager().listActiveSessions().size(),
        sessionCloses.closed());
  }

  /** The address bound (clients use {@link #address()}). */
  public String bindAddress() {
    return bind;
  }

  /** Port of the health check, or -1 without one. */
  public int healthPort() {
    return health == null ? -1 : health.port();
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
    return token != null || users != null;
  }

  /** Whether clients connect with TLS ({@code ;use_ssl=true}). */
  public boolean tls() {
    return tlsKeystore != null;
  }

  /** Users of the users file, or empty with a shared token or none. */
  public List<String> users() {
    return users == null ? List.of() : users.users();
  }

  /** The audit table's location. */
  public String auditLocation() {
    return layout.table(Zone.DEIDENTIFIED, ServeAudit.TABLE);
  }

  /** Stops the Connect server, then Spark. */
  @Override
  public synchronized void close() {
    if (tls != null) {
      tls.close();
      tls = null;
    }
    if (health != null) {
      health.close();
      health = null;
    }
    if (root == null) {
      return;
    }
    try {
      SparkConnectService.stop(Option.empty(), Option.empty());
    } catch (RuntimeException e) {
      // already stopped with Spark (its own shutdown hook may run first)
    }
    UserAuthInterceptor.uninstall();
    RefusingListener.uninstall();
    try {
      audit.close();
    } catch (RuntimeException e) {
      System.err.println(
          "lakehouse serve: the last audit rows could not be written: " + e.getMessage());
    } finally {
      try {
        root.stop();
      } finally {
        root = null;
      }
    }
  }
}
