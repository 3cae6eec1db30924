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

    public static ClientOptions defaults() {
        return new ClientOptions("peers-java/" + PeersClient.VERSION, null, true, Duration.ofSeconds(30));
    }

    public ClientOptions withClientName(String name) {
        return new ClientOptions(name, token, reconnect, requestTimeout);
    }

    public ClientOptions withToken(String secret) {
        return new ClientOptions(clientName, secret, reconnect, requestTimeout);
    }

    public ClientOptions withReconnect(boolean enabled) {
        return new ClientOptions(clientName, token, enabled, requestTimeout);
    }

    public ClientOptions withRequestTimeout(Duration timeout) {
        return new ClientOptions(clientName, token, reconnect, timeout);
    }
}
