package io.agentpeers.local;

import io.agentpeers.core.InvalidArgumentException;
import io.agentpeers.protocol.PeersPaths;
import io.agentpeers.protocol.TlsClientFiles;
import io.agentpeers.protocol.transport.TransportConnector;
import io.agentpeers.transport.tcp.TcpAddress;
import io.agentpeers.transport.tcp.TcpConnector;
import io.agentpeers.transport.tcp.TlsConnector;
import io.agentpeers.transport.tcp.TokenFile;
import io.agentpeers.transport.tcp.tls.TlsContexts;
import io.agentpeers.transport.unix.UnixSocketConnector;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLContext;

/**
 * Where the broker of these paths answers, the same for every face: the Unix socket, or TCP when
 * {@code PEERS_TCP_URL} names one (then with the token from {@code PEERS_TOKEN} or the token file), or
 * TLS when it is {@code tls://HOST:PORT} (then also with the certificate, key and CA of
 * {@code PEERS_TLS_CERT}, {@code PEERS_TLS_KEY}, {@code PEERS_TLS_CA}).
 */
public final class BrokerEndpoint {
    private BrokerEndpoint() {}

    /** The connector for these paths. */
    public static TransportConnector connector(PeersPaths paths) {
        if (paths.tlsUrl()) {
            return new TlsConnector(TcpAddress.parse(hostPort(paths.tcpUrl())), tlsContext(paths.tlsClient()));
        }
        if (paths.tcpUrl() != null) {
            return new TcpConnector(TcpAddress.parse(hostPort(paths.tcpUrl())));
        }
        return new UnixSocketConnector(paths.socket());
    }

    /**
     * The token a TCP caller presents: {@code PEERS_TOKEN}, else the broker's token file when it is on
     * this machine (read without following a link, and only if this user's), else null: then the broker's
     * refusal says where its token is, which this side can only guess (its PEERS_HOME may not be the broker's).
     *
     * @throws io.agentpeers.protocol.NotPrivateException when the token file is a link or another user's
     */
    public static String token(PeersPaths paths) {
        if (paths.token() != null) {
            return paths.token();
        }
        if (Files.exists(paths.tokenFile(), LinkOption.NOFOLLOW_LINKS)) { // a link is refused by read(), not skipped
            return new TokenFile(paths.tokenFile()).read();
        }
        return null;
    }

    /** Where it connects, for messages: the socket path, {@code tcp HOST:PORT} or {@code tls://HOST:PORT}. */
    public static String describe(PeersPaths paths) {
        if (paths.tlsUrl()) {
            return paths.tcpUrl().strip();
        }
        return paths.tcpUrl() != null ? "tcp " + paths.tcpUrl() : paths.socket().toString();
    }

    /** The client's context for {@code tls://}: all three files are needed, and each must read. */
    static SSLContext tlsContext(TlsClientFiles files) {
        List<String> missing = new ArrayList<>();
        if (files == null || files.certificate() == null) {
            missing.add("PEERS_TLS_CERT (this client's certificate)");
        }
        if (files == null || files.key() == null) {
            missing.add("PEERS_TLS_KEY (its private key)");
        }
        if (files == null || files.authority() == null) {
            missing.add("PEERS_TLS_CA (the team's ca.crt)");
        }
        if (!missing.isEmpty()) {
            throw new InvalidArgumentException("a tls:// PEERS_TCP_URL needs " + String.join(", ", missing)
                    + ": `peers tls issue NAME` on the broker's machine makes the three files");
        }
        return TlsContexts.fromFiles(files.certificate(), files.key(), files.authority());
    }

    /** {@code tcp://host:port/}, {@code tls://host:port/} or {@code host:port} to {@code host:port}. */
    static String hostPort(String url) {
        String result = url.strip();
        if (result.startsWith("tcp://")) {
            result = result.substring("tcp://".length());
        } else if (result.startsWith("tls://")) {
            result = result.substring("tls://".length());
        }
        while (result.endsWith("/")) {
            result = result.substring(0, result.length() - 1);
        }
        return result;
    }
}
