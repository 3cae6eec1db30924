package io.agentpeers.protocol.client;

import java.time.Duration;
import java.util.Objects;

/**
 * How a {@link PeersClient} behaves.
 *
 * @param clientName     sent in {@code hello}, e.g. {@code "peers-mcp/0.1.0"}
 * @param token          the broker's token, required over TCP; null over Unix
 * @param reconnect      whether to reconnect and resume by itself when the connection drops
 * @param requestTimeout how long a request waits for its reply (and, while reconnecting, for a broker)
 */
public record ClientOptions(String clientName, String token, boolean reconnect, Duration requestTimeout) {
    public ClientOptions {
        Objects.requireNonNull(clientName, "clientName");
        Objects.requireNonNull(requestTimeout, "requestTimeout");
    }

    /**
     * Client name {@code "peers-java/"} and {@link PeersClient#VERSION}, no token (so not for TCP),
     * reconnect on, a 30-second request timeout.
     */
    public static ClientOptions defaults() {
        return new ClientOptions("peers-java/" + PeersClient.VERSION, null, true, Duration.ofSeconds(30));
    }

    /** These options with another client name; {@code hello} carries it (the broker does not use it yet). */
    public ClientOptions withClientName(String name) {
        return new ClientOptions(name, token, reconnect, requestTimeout);
    }

    /** These options with the broker's token, which {@code hello} must carry over TCP; {@code null} for none. */
    public ClientOptions withToken(String secret) {
        return new ClientOptions(clientName, secret, reconnect, requestTimeout);
    }

    /**
     * These options with automatic reconnect on or off. Off, once the connection drops every call fails
     * with {@link BrokerUnavailableException}: connect again.
     */
    public ClientOptions withReconnect(boolean enabled) {
        return new ClientOptions(clientName, token, enabled, requestTimeout);
    }

    /** These options with another request timeout (also how long a request waits for a broker while reconnecting). */
    public ClientOptions withRequestTimeout(Duration timeout) {
        return new ClientOptions(clientName, token, reconnect, timeout);
    }
}
