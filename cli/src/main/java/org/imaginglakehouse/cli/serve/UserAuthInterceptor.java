package org.imaginglakehouse.cli.serve;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Optional;
import org.sparkproject.connect.grpc.Metadata;
import org.sparkproject.connect.grpc.ServerCall;
import org.sparkproject.connect.grpc.ServerCallHandler;
import org.sparkproject.connect.grpc.ServerInterceptor;
import org.sparkproject.connect.grpc.Status;

/**
 * Per-user authentication of {@code lakehouse serve}: every gRPC call must carry {@code
 * Authorization: Bearer <token>} with a token of the users file ({@link UserTokens}), and every
 * request message of the call must name that token's user in its {@code user_context.user_id} (an
 * empty one is set to it). Spark Connect keys its sessions by user and session id, so a session
 * belongs to the user whose token created it, and the plan check ({@link ServeAccess}) and the
 * audit ({@link ServeAudit}) take the user from the session. Wrong or missing tokens and claims of
 * another user are refused and audited.
 *
 * <p>Spark creates this class by name ({@code spark.connect.grpc.interceptor.classes}) with no
 * arguments, so {@link SqlServer} installs the users and the audit before it starts Spark Connect;
 * until then every call is refused.
 */
public final class UserAuthInterceptor implements ServerInterceptor {
  private static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("Authorization", Metadata.ASCII_STRING_MARSHALLER);
  private static final String BEARER = "Bearer ";

  private static volatile UserTokens users;

  /** Called by Spark Connect (by class name). */
  public UserAuthInterceptor() {}

  static void install(UserTokens tokens) {
    users = tokens;
  }

  static void uninstall() {
    users = null;
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    UserTokens tokens = users;
    if (tokens == null) {
      call.close(Status.UNAVAILABLE.withDescription("lakehouse serve is starting"), new Metadata());
      return new ServerCall.Listener<>() {};
    }
    String header = headers.get(AUTHORIZATION);
    String token =
        header != null && header.startsWith(BEARER) ? header.substring(BEARER.length()) : null;
    Optional<String> user = tokens.userOf(token);
    if (user.isEmpty()) {
      RefusingListener.refuse(
          call,
          Status.UNAUTHENTICATED,
          "",
          (token == null ? "missing" : "wrong")
              + " token: connect with sc://HOST:PORT/;token=YOUR_TOKEN;user_id=YOUR_USER (see"
              + " docs/sql-endpoint.md)");
      return new ServerCall.Listener<>() {};
    }
    return new Bound<>(next.startCall(call, headers), call, user.get());
  }

  /** Checks (and fills in) the user of every request message of one authenticated call. */
  private static final class Bound<Q> extends RefusingListener<Q> {
    private final String user;

    Bound(ServerCall.Listener<Q> delegate, ServerCall<Q, ?> call, String user) {
      super(delegate, call);
      this.user = user;
    }

    @Override
    Q check(Q message, ServerCall<Q, ?> call) {
      try {
        return withUser(message);
      } catch (ClaimException e) {
        refuse(call, Status.PERMISSION_DENIED, user, e.getMessage());
        return null;
      }
    }

    /** The message with user_context.user_id = user; refused when it names another user. */
    @SuppressWarnings("unchecked")
    private Q withUser(Q message) throws ClaimException {
      try {
        Method getContext = message.getClass().getMethod("getUserContext");
        Object context = getContext.invoke(message);
        String claimed = (String) context.getClass().getMethod("getUserId").invoke(context);
        if (user.equals(claimed)) {
          return message;
        }
        if (!claimed.isEmpty()) {
          throw new ClaimException(
              "the token is "
                  + user
                  + "'s, but the request says user_id "
                  + claimed
                  + ": connect with ;user_id="
                  + user
                  + " in the sc:// URL, or with your own token");
        }
        Object builder = message.getClass().getMethod("toBuilder").invoke(message);
        Object contextBuilder =
            builder.getClass().getMethod("getUserContextBuilder").invoke(builder);
        contextBuilder.getClass().getMethod("setUserId", String.class).invoke(contextBuilder, user);
        return (Q) builder.getClass().getMethod("build").invoke(builder);
      } catch (NoSuchMethodException e) {
        // Fail closed: a request that names no user cannot be tied to the token's user.
        throw new ClaimException(
            message.getClass().getSimpleName() + " carries no user context, so it is not served");
      } catch (IllegalAccessException | InvocationTargetException e) {
        throw new ClaimException(
            "cannot read the user of " + message.getClass().getSimpleName() + ": " + e);
      }
    }
  }

  private static final class ClaimException extends Exception {
    private static final long serialVersionUID = 1L;

    ClaimException(String message) {
      super(message);
    }
  }
}
