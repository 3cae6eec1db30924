package io.agentpeers.cli;

import io.agentpeers.protocol.PeersPaths;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * Where to find the broker; each option overrides its environment variable. The options are inherited: they
 * may come before the subcommand or after it ({@link GlobalOptions}).
 */
public final class ConnectionOptions {
    @Option(
            scope = ScopeType.INHERIT,
            names = "--home",
            paramLabel = "DIR",
            description = "The peers home folder (env PEERS_HOME, default ~/.peers).")
    Path home;

    @Option(
            scope = ScopeType.INHERIT,
            names = "--socket",
            paramLabel = "PATH",
            description = "The broker's Unix socket (env PEERS_SOCKET, default PEERS_HOME/peers.sock).")
    Path socket;

    @Option(
            scope = ScopeType.INHERIT,
            names = "--tcp-url",
            paramLabel = "HOST:PORT",
            description = "Reach the broker over TCP instead (env PEERS_TCP_URL).")
    String tcpUrl;

    @Option(
            scope = ScopeType.INHERIT,
            names = "--token",
            paramLabel = "TOKEN",
            description = "The broker's TCP token (env PEERS_TOKEN, default: the file PEERS_HOME/token).")
    String token;

    /** The broker's files as the environment and these options name them. */
    public PeersPaths paths(CliContext context) {
        Map<String, String> env = new HashMap<>(context.env());
        if (home != null) {
            env.put("PEERS_HOME", home.toAbsolutePath().toString());
        }
        PeersPaths paths = PeersPaths.from(env, context.userHome());
        if (socket != null) {
            paths = paths.withSocket(socket.toAbsolutePath());
        }
        if (tcpUrl != null || token != null) {
            paths = paths.withTcpUrl(tcpUrl != null ? tcpUrl : paths.tcpUrl(), token != null ? token : paths.token());
        }
        return paths;
    }
}
