package io.agentpeers.protocol.codec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentpeers.core.MessageState;
import io.agentpeers.protocol.BrokerEvent;
import io.agentpeers.protocol.BrokerInfo;
import io.agentpeers.protocol.BrokerStats;
import io.agentpeers.protocol.PeerInfo;
import io.agentpeers.protocol.Pong;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The broker's own shapes (the {@code hello}, {@code ping} and {@code stats} results, {@code event}
 * notifications) read into records, and written back in the broker's shape, field for field, for
 * tools that print them as JSON. Stateless.
 */
public final class BrokerJson {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private BrokerJson() {}

    /**
     * Reads the {@code hello} result. Lenient: a missing protocol reads as -1, {@code verified} as false,
     * the pid and uid as null.
     */
    public static BrokerInfo brokerInfo(JsonNode node) {
        return new BrokerInfo(
                node.path("protocol").asInt(-1),
                PeersJson.text(node, "broker_version"),
                PeersJson.text(node, "transport"),
                node.path("verified").asBoolean(false),
                optionalLong(node, "pid"),
                optionalLong(node, "uid"));
    }

    /** Reads the {@code ping} result: the broker's clock, null when it sent none. */
    public static Pong pong(JsonNode node) {
        return new Pong(PeersJson.instant(node, "time"));
    }

    /**
     * Reads the {@code stats} result. Lenient: a missing pid or protocol reads as -1, a missing count as 0,
     * a missing list as empty and a missing time as null.
     */
    public static BrokerStats brokerStats(JsonNode node) {
        JsonNode peers = node.path("peers");
        JsonNode messages = node.path("messages");
        List<String> listeners = new ArrayList<>();
        node.path("listeners").forEach(listener -> listeners.add(listener.asText()));
        return new BrokerStats(
                PeersJson.text(node, "broker_version"),
                node.path("protocol").asInt(-1),
                node.path("connections").asInt(),
                new BrokerStats.PeerCounts(
                        peers.path("live").asLong(), peers.path("gone").asLong()),
                new BrokerStats.MessageCounts(
                        messages.path("pending").asLong(),
                        messages.path("delivered").asLong(),
                        messages.path("read").asLong(),
                        messages.path("undeliverable").asLong()),
                node.path("pid").asLong(-1),
                PeersJson.instant(node, "started_at"),
                Duration.ofMillis(node.path("uptime_ms").asLong()),
                PeersJson.text(node, "database"),
                listeners,
                node.has("orphans") ? PeersJson.peerInfos(node.get("orphans")) : List.of(),
                PeersJson.instant(node, "last_sweep"));
    }

    /** Stats in the broker's wire shape (docs/protocol.md, {@code stats}). */
    public static ObjectNode node(BrokerStats stats) {
        ObjectNode node = NODES.objectNode();
        node.put("broker_version", stats.brokerVersion());
        node.put("protocol", stats.protocol());
        node.put("connections", stats.connections());
        node.putObject("peers")
                .put("live", stats.peers().live())
                .put("gone", stats.peers().gone());
        node.putObject("messages")
                .put("pending", stats.messages().pending())
                .put("delivered", stats.messages().delivered())
                .put("read", stats.messages().read())
                .put("undeliverable", stats.messages().undeliverable());
        node.put("pid", stats.pid());
        node.put("started_at", PeersJson.time(stats.startedAt()));
        node.put("uptime_ms", stats.uptime().toMillis());
        node.put("database", stats.database());
        ArrayNode listeners = node.putArray("listeners");
        stats.listeners().forEach(listeners::add);
        node.set("orphans", peers(stats.orphans()));
        node.put("last_sweep", PeersJson.time(stats.lastSweep()));
        return node;
    }

    /**
     * Peers as a client read them, written back as a JSON array in the broker's shape
     * ({@link PeersJson#peer(PeerInfo)}).
     */
    public static ArrayNode peers(List<PeerInfo> peers) {
        ArrayNode array = NODES.arrayNode();
        peers.forEach(peer -> array.add(PeersJson.peer(peer)));
        return array;
    }

    /**
     * Reads the params of an {@code event} notification into its record. A type this client does not
     * know, or an event of a known type it cannot read (a client type or state added by a newer broker,
     * a missing field), becomes {@link BrokerEvent.Other}: an observer survives a newer broker.
     */
    public static BrokerEvent brokerEvent(JsonNode node) {
        String type = node.path("type").asText("");
        try {
            return knownEvent(node, type);
        } catch (RuntimeException unreadable) {
            return new BrokerEvent.Other(instantOrNull(node), type);
        }
    }

    private static Instant instantOrNull(JsonNode node) {
        try {
            return PeersJson.instant(node, "at");
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static BrokerEvent knownEvent(JsonNode node, String type) {
        var at = PeersJson.instant(node, "at");
        return switch (type) {
            case "peer_joined" ->
                new BrokerEvent.PeerJoined(
                        at, peerOf(node), node.path("resumed").asBoolean());
            case "peer_updated" -> new BrokerEvent.PeerUpdated(at, peerOf(node));
            case "peer_left" -> new BrokerEvent.PeerLeft(at, peerOf(node), PeersJson.text(node, "reason"));
            case "message_sent" -> new BrokerEvent.MessageSent(at, PeersJson.messageFrom(node.get("message")));
            case "messages_state" -> {
                List<Long> ids = new ArrayList<>();
                node.path("ids").forEach(id -> ids.add(id.asLong()));
                yield new BrokerEvent.MessagesStateChanged(
                        at,
                        PeersJson.text(node, "recipient"),
                        ids,
                        MessageState.fromWireName(node.path("state").asText()));
            }
            case "peer_killed" ->
                new BrokerEvent.PeerKilled(
                        at,
                        peerOf(node),
                        PeersJson.text(node, "by"),
                        node.path("signalled").asBoolean());
            default -> new BrokerEvent.Other(at, type);
        };
    }

    /** An event in the broker's wire shape (docs/protocol.md, "Notifications"). */
    public static ObjectNode node(BrokerEvent event) {
        ObjectNode node = NODES.objectNode();
        node.put("at", PeersJson.time(event.at()));
        node.put("type", event.type());
        if (event instanceof BrokerEvent.PeerJoined joined) {
            node.set("peer", PeersJson.peer(joined.peer()));
            node.put("resumed", joined.resumed());
        } else if (event instanceof BrokerEvent.PeerUpdated updated) {
            node.set("peer", PeersJson.peer(updated.peer()));
        } else if (event instanceof BrokerEvent.PeerLeft left) {
            node.set("peer", PeersJson.peer(left.peer()));
            node.put("reason", left.reason());
        } else if (event instanceof BrokerEvent.MessageSent sent) {
            node.set("message", PeersJson.message(sent.message()));
        } else if (event instanceof BrokerEvent.MessagesStateChanged changed) {
            node.put("recipient", changed.recipient());
            ArrayNode ids = node.putArray("ids");
            changed.ids().forEach(ids::add);
            node.put("state", changed.state().wireName());
        } else if (event instanceof BrokerEvent.PeerKilled killed) {
            node.set("peer", PeersJson.peer(killed.peer()));
            node.put("by", killed.by());
            node.put("signalled", killed.signalled());
        }
        return node;
    }

    private static PeerInfo peerOf(JsonNode node) {
        return PeersJson.peerInfo(node.path("peer"));
    }

    private static Long optionalLong(JsonNode node, String field) {
        return node.hasNonNull(field) ? node.get(field).asLong() : null;
    }
}
