package org.imaginglakehouse.cli.serve;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.execution.datasources.jdbc.connection.ConnectionProvider$;
import org.apache.spark.sql.execution.datasources.jdbc.connection.ConnectionProviderBase;
import org.apache.spark.sql.jdbc.JdbcConnectionProvider;
import org.imaginglakehouse.core.LakehouseException;

/**
 * Disables every JDBC connection of {@code lakehouse serve}'s Spark: Spark opens a JDBC source
 * (through a JDBC catalog, {@code read.jdbc}, ...) while it resolves the plan, before the plan
 * check ({@link ServeAccess}) sees it, so no connection provider may be left to open one. Spark
 * loads the providers once per process, leaving out those named by {@code
 * spark.sql.sources.disabledJdbcConnProviderList} at that moment: the server names them all and
 * loads them at start, before any client session could change the setting.
 */
final class JdbcConnections {
  static final String DISABLED = "spark.sql.sources.disabledJdbcConnProviderList";

  private JdbcConnections() {}

  /** Names every JDBC connection provider on the class path as disabled in {@code conf}. */
  static void disableAll(SparkConf conf) {
    List<String> names = new ArrayList<>();
    for (JdbcConnectionProvider provider : ServiceLoader.load(JdbcConnectionProvider.class)) {
      names.add(provider.name());
    }
    conf.set(DISABLED, String.join(",", names));
  }

  /**
   * Loads Spark's providers now (with the server session's setting) and fails unless none is left.
   */
  static void checkDisabled() {
    ConnectionProviderBase providers = ConnectionProvider$.MODULE$;
    try {
      Field field = ConnectionProviderBase.class.getDeclaredField("providers");
      field.setAccessible(true);
      scala.collection.Seq<?> loaded = (scala.collection.Seq<?>) field.get(providers);
      if (!loaded.isEmpty()) {
        throw new LakehouseException(
            "lakehouse serve cannot disable Spark's JDBC connections: "
                + loaded.size()
                + " connection providers were loaded before the server named them all in "
                + DISABLED
                + "; report this as a bug of lakehouse serve");
      }
    } catch (ReflectiveOperationException | RuntimeException e) {
      if (e instanceof LakehouseException le) {
        throw le;
      }
      throw new LakehouseException(
          "lakehouse serve cannot check that Spark's JDBC connections are disabled (" + e + ")", e);
    }
  }
}
