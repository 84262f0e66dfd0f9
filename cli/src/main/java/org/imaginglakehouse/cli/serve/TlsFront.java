package org.imaginglakehouse.cli.serve;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import org.imaginglakehouse.core.LakehouseException;

/**
 * TLS for {@code lakehouse serve}: Spark Connect's server has no TLS setting, so when a certificate
 * is configured the server listens for clients here (TLS 1.2/1.3, ALPN {@code h2} as gRPC requires)
 * and passes the decrypted HTTP/2 bytes to Spark Connect, which then listens in plaintext on the
 * loopback interface only.
 */
final class TlsFront implements AutoCloseable {
  private final SSLServerSocket server;
  private final ExecutorService pumps;
  private final int target;

  /**
   * @param bind address clients connect to
   * @param port port clients connect to (0: any)
   * @param keystore PKCS12 key store holding the server's key and certificate chain
   * @param password the key store's password (also the key's)
   * @param target Spark Connect's plaintext port on 127.0.0.1
   */
  TlsFront(String bind, int port, Path keystore, char[] password, int target) {
    this.target = target;
    try (InputStream in = Files.newInputStream(keystore)) {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(in, password);
      KeyManagerFactory keys =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      keys.init(store, password);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keys.getKeyManagers(), null, null);
      server =
          (SSLServerSocket)
              context
                  .getServerSocketFactory()
                  .createServerSocket(port, 50, InetAddress.getByName(bind));
      SSLParameters parameters = server.getSSLParameters();
      parameters.setProtocols(new String[] {"TLSv1.3", "TLSv1.2"});
      parameters.setApplicationProtocols(new String[] {"h2"});
      server.setSSLParameters(parameters);
    } catch (IOException | GeneralSecurityException e) {
      throw new LakehouseException(
          "Cannot serve TLS on "
              + bind
              + ":"
              + port
              + " with the key store "
              + keystore
              + " ("
              + e.getMessage()
              + "): it must be a PKCS12 key store with the server's key and certificate, and the"
              + " port free. See docs/sql-endpoint.md.",
          e);
    }
    pumps =
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, "lakehouse-serve-tls");
              t.setDaemon(true);
              return t;
            });
    pumps.execute(this::accept);
  }

  int port() {
    return server.getLocalPort();
  }

  private void accept() {
    while (!server.isClosed()) {
      Socket client;
      try {
        client = server.accept();
      } catch (IOException e) {
        return; // closed
      }
      try {
        Socket connect = new Socket(InetAddress.getLoopbackAddress(), target);
        pumps.execute(() -> pump(client, connect));
        pumps.execute(() -> pump(connect, client));
      } catch (IOException | RuntimeException e) {
        closeQuietly(client);
      }
    }
  }

  /** Copies {@code from} to {@code to} until either ends, then ends both directions. */
  private static void pump(Socket from, Socket to) {
    byte[] buffer = new byte[64 * 1024];
    try (InputStream in = from.getInputStream()) {
      OutputStream out = to.getOutputStream();
      for (int n; (n = in.read(buffer)) >= 0; ) {
        out.write(buffer, 0, n);
        out.flush();
      }
    } catch (IOException e) {
      // a failed handshake or a dropped connection: the client sees the connection close
    } finally {
      closeQuietly(from);
      closeQuietly(to);
    }
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException e) {
      // already closed
    }
  }

  @Override
  public void close() {
    try {
      server.close();
    } catch (IOException e) {
      // already closed
    }
    pumps.shutdownNow();
  }
}
