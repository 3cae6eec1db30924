package io.agentpeers.cli;

import io.agentpeers.local.BrokerEndpoint;
import io.agentpeers.local.BrokerStarter;
import io.agentpeers.protocol.BadTokenException;
import io.agentpeers.protocol.PeersPaths;
import io.agentpeers.protocol.client.BrokerUnavailableException;
import io.agentpeers.protocol.client.ClientOptions;
import io.agentpeers.protocol.client.PeersClient;
import io.agentpeers.protocol.transport.NothingListensException;
import io.agentpeers.protocol.transport.TransportConnector;
import io.agentpeers.protocol.transport.TransportException;
import java.time.Duration;

/** Opens the CLI's connection to the broker: the Unix socket, or TCP when a URL is configured. */
public final class BrokerAccess {
    /** What the CLI says in {@code hello}. */
    public static final String CLIENT_NAME = "peers-cli/" + PeersClient.VERSION;

    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(15);

    private BrokerAccess() {}

    /**
     * Starts this program's {@code broker run} detached when none answers (for the MCP server): it says so on
     * stderr, and that broker stops after {@link BrokerCommands#AUTO_IDLE} without connections (or
     * {@code PEERS_IDLE_TIMEOUT} seconds; 0 never).
     */
    public static BrokerStarter brokerStarter(CliContext context, PeersPaths paths) {
        return BrokerCommands.autoStarter(context, paths);
    }

    /**
     * Connects and says hello.
     *
     * @param reconnect whether to ride out broker restarts (for long-running commands such as {@code watch})
     * @throws CliFailure with exit code 3 when no broker answers
     */
    public static PeersClient connect(PeersPaths paths, boolean reconnect) {
        TransportConnector connector = BrokerEndpoint.connector(paths);
        ClientOptions options = ClientOptions.defaults()
                .withClientName(CLIENT_NAME)
                .withReconnect(reconnect)
                .withRequestTimeout(REQUEST_TIMEOUT);
        if (paths.tcpUrl() != null) {
            options = options.withToken(BrokerEndpoint.token(paths));
        }
        try {
            return PeersClient.connect(connector, options);
        } catch (BadTokenException e) {
            // The broker's sentence says whether the token was missing or wrong, and where its token is.
            throw new CliFailure(e.getMessage() + "; pass its contents with --token or PEERS_TOKEN");
        } catch (NothingListensException e) {
            throw CliFailure.unreachable(
                    sentence(e.getMessage())
                            + (paths.tlsUrl()
                                    ? "; start it on that machine with `peers broker start --tls HOST:PORT`"
                                    : "; start one with `peers broker start"
                                            + (paths.tcpUrl() == null ? "" : " --tcp " + paths.tcpUrl()) + "`"),
                    e);
        } catch (BrokerUnavailableException e) {
            // Something listens but does not answer: starting another broker is not the fix.
            throw CliFailure.unreachable(sentence(e.getMessage()) + "; `peers broker status` and its log tell why", e);
        } catch (TransportException e) {
            // Another user's broker, a socket path too long: the sentence carries its own fix.
            throw CliFailure.unreachable(sentence(e.getMessage()), e);
        }
    }

    private static String sentence(String message) {
        return message == null ? "no broker answers" : message;
    }
}
