package org.imaginglakehouse.cli.serve;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.apache.spark.connect.proto.AddArtifactsRequest;
import org.apache.spark.connect.proto.CommonInlineUserDefinedDataSource;
import org.apache.spark.connect.proto.ConfigRequest;
import org.apache.spark.connect.proto.KeyValue;
import org.apache.spark.connect.proto.Read;
import org.sparkproject.connect.grpc.Metadata;
import org.sparkproject.connect.grpc.ServerCall;
import org.sparkproject.connect.grpc.ServerCallHandler;
import org.sparkproject.connect.grpc.ServerInterceptor;
import org.sparkproject.connect.grpc.Status;
import org.sparkproject.connect.protobuf.Descriptors;
import org.sparkproject.connect.protobuf.Message;

/**
 * Refuses, before Spark Connect handles them, the requests of {@code lakehouse serve} that the plan
 * check ({@link ServeAccess}) would see too late or not at all:
 *
 * <ul>
 *   <li>artifact uploads ({@code AddArtifacts}) of jars, classes, Python files, archives and files:
 *       they would land on the server. Only {@code cache/} artifacts pass: pyspark uploads large
 *       local data of {@code createDataFrame} that way, and Spark keeps them as data blocks.
 *   <li>Python data sources ({@code spark.dataSource.register}): their code would run on the
 *       server.
 *   <li>reads of data source formats other than Delta and plain files ({@code jdbc}, {@code
 *       socket}, {@code kafka}, a class name, or no format at all, which means the session's
 *       default): Spark opens such a source while it builds the plan, before the plan check.
 *   <li>settings of catalog plugins ({@code spark.sql.catalog.*}, with {@code spark.conf.set}; SQL
 *       {@code SET} is refused by {@link ServeAccess} with {@link #setting}).
 * </ul>
 *
 * <p>Spark creates this class by name ({@code spark.connect.grpc.interceptor.classes}); {@link
 * SqlServer} lists it first, so it runs after the token check and {@link AnalyzeAudit}.
 */
public final class ConnectRequestGuard implements ServerInterceptor {
  /** Artifacts allowed: pyspark's cached local relations. */
  static final String CACHE_PREFIX = "cache/";

  /** Formats a read may name: Delta, and files (the plan check then refuses what is not Delta). */
  static final Set<String> FORMATS = Set.of("delta", "parquet", "json", "csv", "text", "orc");

  /** Settings a client may not change: catalog plugins (a JDBC catalog connects out). */
  static final String CATALOG_SETTINGS = "spark.sql.catalog";

  private static final Set<String> CHECKED =
      Set.of("AddArtifacts", "ExecutePlan", "AnalyzePlan", "Config");

  /** Called by Spark Connect (by class name). */
  public ConnectRequestGuard() {}

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    if (!CHECKED.contains(call.getMethodDescriptor().getBareMethodName())) {
      return next.startCall(call, headers);
    }
    return new RefusingListener<>(next.startCall(call, headers), call) {
      @Override
      Q check(Q message, ServerCall<Q, ?> refusable) {
        Optional<String> why = refusal(message);
        if (why.isEmpty()) {
          return message;
        }
        refuse(refusable, Status.PERMISSION_DENIED, userOf(message), why.get());
        return null;
      }
    };
  }

  private static String userOf(Object message) {
    if (message instanceof Message m) {
      Descriptors.FieldDescriptor field = m.getDescriptorForType().findFieldByName("user_context");
      if (field != null && m.getField(field) instanceof Message context) {
        Object id = context.getField(context.getDescriptorForType().findFieldByName("user_id"));
        return String.valueOf(id);
      }
    }
    return "";
  }

  /** Why a request message is refused, or empty. */
  static Optional<String> refusal(Object message) {
    if (message instanceof AddArtifactsRequest artifacts) {
      return artifacts(artifacts);
    }
    if (!(message instanceof Message root)) {
      return Optional.empty();
    }
    // Walk every message nested in the request (relations nest deeply: no recursion).
    Deque<Message> pending = new ArrayDeque<>();
    pending.push(root);
    while (!pending.isEmpty()) {
      Message m = pending.pop();
      if (m instanceof CommonInlineUserDefinedDataSource) {
        return Optional.of(
            "registering a Python data source would run code sent by the client on the server;"
                + " read the served Delta tables instead (see docs/sql-endpoint.md)");
      }
      if (m instanceof KeyValue setting && root instanceof ConfigRequest) {
        Optional<String> why = setting(setting.getKey());
        if (why.isPresent()) {
          return why;
        }
      }
      if (m instanceof Read.DataSource source) {
        Optional<String> why = format(source.hasFormat() ? source.getFormat() : "");
        if (why.isPresent()) {
          return why;
        }
      }
      for (Object value : m.getAllFields().values()) {
        if (value instanceof Message child) {
          pending.push(child);
        } else if (value instanceof List<?> list) {
          for (Object item : list) {
            if (item instanceof Message child) {
              pending.push(child);
            }
          }
        }
      }
    }
    return Optional.empty();
  }

  /**
   * Why a client may not set {@code key} (with {@code spark.conf.set} or SQL {@code SET}), or
   * empty.
   */
  static Optional<String> setting(String key) {
    if (!key.strip().toLowerCase(Locale.ROOT).startsWith(CATALOG_SETTINGS)) {
      return Optional.empty();
    }
    return Optional.of(
        "setting "
            + CATALOG_SETTINGS
            + ".* would plug a catalog of the client's choice into the server (a JDBC catalog"
            + " connects to a database while a query is analysed); the served catalog is fixed"
            + " (see docs/sql-endpoint.md)");
  }

  private static Optional<String> format(String format) {
    if (FORMATS.contains(format.toLowerCase(Locale.ROOT))) {
      return Optional.empty();
    }
    return Optional.of(
        (format.isEmpty() ? "a read that names no format" : "a read of format '" + format + "'")
            + " is not served: Spark would open such a source before the plan is checked;"
            + " read Delta tables with format(\"delta\") or by name (see docs/sql-endpoint.md)");
  }

  private static Optional<String> artifacts(AddArtifactsRequest request) {
    List<String> names =
        switch (request.getPayloadCase()) {
          case BATCH ->
              request.getBatch().getArtifactsList().stream()
                  .map(AddArtifactsRequest.SingleChunkArtifact::getName)
                  .toList();
          case BEGIN_CHUNK -> List.of(request.getBeginChunk().getName());
          // Further chunks of an artifact whose beginning passed.
          case CHUNK -> List.of();
          default -> List.of("");
        };
    for (String name : names) {
      if (!name.startsWith(CACHE_PREFIX) || name.contains("..")) {
        return Optional.of(
            "uploading artifacts (jars, classes, Python files, archives, files) to lakehouse serve"
                + " is not allowed: no client code or file is installed on the server (see"
                + " docs/sql-endpoint.md)");
      }
    }
    return Optional.empty();
  }
}
