package io.agentpeers.protocol;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The broker's statistics (docs/protocol.md, {@code stats}).
 *
 * @param brokerVersion the broker's peers version
 * @param protocol      the protocol version it speaks
 * @param connections   connections open now
 * @param peers         peers by state
 * @param messages      messages by state
 * @param pid           the broker's process
 * @param startedAt     when it started
 * @param uptime        how long it has run
 * @param database      where its store lives (a path, or a description for other stores)
 * @param listeners     the addresses it listens at, e.g. {@code "unix:/home/me/.peers/peers.sock"}
 * @param orphans       MCP server peers whose agent process died (found by the sweep)
 * @param lastSweep     when the sweep last ran; null before the first
 */
public record BrokerStats(
        String brokerVersion,
        int protocol,
        int connections,
        PeerCounts peers,
        MessageCounts messages,
        long pid,
        Instant startedAt,
        Duration uptime,
        String database,
        List<String> listeners,
        List<PeerInfo> orphans,
        Instant lastSweep) {

    public BrokerStats {
        Objects.requireNonNull(peers, "peers");
        Objects.requireNonNull(messages, "messages");
        listeners = List.copyOf(listeners);
        orphans = List.copyOf(orphans);
    }

    /** Peers the store holds, by state. */
    public record PeerCounts(long live, long gone) {}

    /** Messages the store holds, by state. */
    public record MessageCounts(long pending, long delivered, long read, long undeliverable) {}
}
