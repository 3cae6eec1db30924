package io.agentpeers.local;

import io.agentpeers.protocol.PeersPaths;
import io.agentpeers.protocol.transport.TransportConnector;
import io.agentpeers.transport.tcp.TcpAddress;
import io.agentpeers.transport.tcp.TcpConnector;
import io.agentpeers.transport.tcp.TokenFile;
import io.agentpeers.transport.unix.UnixSocketConnector;
import java.nio.file.Files;
import java.nio.file.LinkOption;

/**
 * Where the broker of these paths answers, the same for every face: the Unix socket, or TCP when
 * {@code PEERS_TCP_URL} names one (then with the token from {@code PEERS_TOKEN} or the token file).
 */
public final class BrokerEndpoint {
    private BrokerEndpoint() {}

    /** The connector for these paths. */
    public static TransportConnector connector(PeersPaths paths) {
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

    /** Where it connects, for messages: the socket path or {@code tcp HOST:PORT}. */
    public static String describe(PeersPaths paths) {
        return paths.tcpUrl() != null ? "tcp " + paths.tcpUrl() : paths.socket().toString();
    }

    /** {@code tcp://host:port/} or {@code host:port} to {@code host:port}. */
    static String hostPort(String url) {
        String result = url.strip();
        if (result.startsWith("tcp://")) {
            result = result.substring("tcp://".length());
        }
        while (result.endsWith("/")) {
            result = result.substring(0, result.length() - 1);
        }
        return result;
    }
}
