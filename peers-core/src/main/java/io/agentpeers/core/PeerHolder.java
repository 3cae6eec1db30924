package io.agentpeers.core;

import java.util.Objects;

/**
 * The broker that holds a peer's connection, when it is another broker than the one asking: several brokers
 * share one database (one per machine), and each vouches for the peers it verified itself.
 *
 * @param brokerId the stable id of that broker (kept in its {@code PEERS_HOME})
 * @param host     the host name it runs on, or {@code null} when it did not say
 */
public record PeerHolder(String brokerId, String host) {
    public PeerHolder {
        Objects.requireNonNull(brokerId, "brokerId");
    }
}
