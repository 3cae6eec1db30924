package io.agentpeers.protocol.codec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentpeers.core.ClientType;
import io.agentpeers.core.Delivery;
import io.agentpeers.core.DeliveryPath;
import io.agentpeers.core.InvalidArgumentException;
import io.agentpeers.core.Message;
import io.agentpeers.core.MessageKind;
import io.agentpeers.core.MessageState;
import io.agentpeers.core.Peer;
import io.agentpeers.core.PeerHolder;
import io.agentpeers.core.PeerId;
import io.agentpeers.core.PeerState;
import io.agentpeers.core.Urgency;
import io.agentpeers.protocol.Envelope;
import io.agentpeers.protocol.PeerInfo;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Maps the domain to its wire shapes and back. Stateless. */
public final class PeersJson {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private PeersJson() {}

    // ------------------------------------------------------------ domain -> wire (broker side)

    /** A peer in its wire shape (docs/protocol.md, "Peer"), as the broker's replies and events carry it. */
    public static ObjectNode peer(Peer peer) {
        ObjectNode node = NODES.objectNode();
        node.put("id", peer.id().value());
        node.put("name", peer.name());
        node.put("client_type", peer.clientType().wireName());
        node.put("cwd", peer.cwd());
        node.put("git_root", peer.gitRoot());
        node.put("repo_key", peer.repoKey());
        if (peer.repoRemote() != null) { // absent rather than null: most peers have none, and lists are long
            node.put("repo_remote", peer.repoRemote());
        }
        node.put("tty", peer.tty());
        node.put("summary", peer.summary());
        node.put("registered_at", time(peer.registeredAt()));
        node.put("last_seen", time(peer.lastSeen()));
        node.put("state", peer.state().wireName());
        node.put("gone_at", time(peer.goneAt()));
        node.put("verified", peer.verified());
        node.put("pid", peer.connection() == null ? null : peer.connection().pid());
        node.put("agent_pid", peer.agent() == null ? null : peer.agent().pid());
        if (!peer.heldHere()) {
            // Another broker on the shared database holds it and vouches for it ("verified" is its word).
            node.putObject("broker")
                    .put("id", peer.holder().brokerId())
                    .put("host", peer.holder().host());
        }
        return node;
    }

    /** A peer with how it receives messages ({@code delivery}; omitted when null: a gone peer). */
    public static ObjectNode peer(Peer peer, Delivery delivery) {
        ObjectNode node = peer(peer);
        putDelivery(node, delivery);
        return node;
    }

    /**
     * A peer with its delivery and, when it is held over TLS, the name of its client certificate (only then
     * present: {@code "certificate"}).
     */
    public static ObjectNode peer(Peer peer, Delivery delivery, String certificate) {
        ObjectNode node = peer(peer, delivery);
        if (certificate != null) {
            node.put("certificate", certificate);
        }
        return node;
    }

    private static void putDelivery(ObjectNode node, Delivery delivery) {
        if (delivery != null) {
            node.putObject("delivery").put("path", delivery.path().wireName()).put("confirmed", delivery.confirmed());
        }
    }

    /** A peer as a client read it, written back in the same shape as {@link #peer(Peer)}. */
    public static ObjectNode peer(PeerInfo peer) {
        ObjectNode node = NODES.objectNode();
        node.put("id", peer.id());
        node.put("name", peer.name());
        node.put(
                "client_type",
                peer.clientType() == null ? null : peer.clientType().wireName());
        node.put("cwd", peer.cwd());
        node.put("git_root", peer.gitRoot());
        node.put("repo_key", peer.repoKey());
        if (peer.repoRemote() != null) { // absent rather than null: most peers have none, and lists are long
            node.put("repo_remote", peer.repoRemote());
        }
        node.put("tty", peer.tty());
        node.put("summary", peer.summary());
        node.put("registered_at", time(peer.registeredAt()));
        node.put("last_seen", time(peer.lastSeen()));
        node.put("state", peer.state() == null ? null : peer.state().wireName());
        node.put("gone_at", time(peer.goneAt()));
        node.put("verified", peer.verified());
        node.put("pid", peer.pid());
        node.put("agent_pid", peer.agentPid());
        putDelivery(node, peer.delivery());
        if (peer.broker() != null) {
            node.putObject("broker")
                    .put("id", peer.broker().brokerId())
                    .put("host", peer.broker().host());
        }
        return node;
    }

    /** Peers in their wire shape, as a JSON array in the list's order. */
    public static ArrayNode peers(List<Peer> peers) {
        ArrayNode array = NODES.arrayNode();
        peers.forEach(p -> array.add(peer(p)));
        return array;
    }

    /** What a recipient learns about a sender; {@code null} means the broker itself. */
    public static ObjectNode sender(PeerId id, Peer peer) {
        ObjectNode node = NODES.objectNode();
        node.put("id", id.value());
        if (id.equals(PeerId.BROKER)) {
            node.put("name", "broker");
            node.put("client_type", ClientType.GENERIC.wireName());
            node.put("summary", "the peers broker");
            node.putNull("cwd");
            node.put("verified", true);
            return node;
        }
        node.put("name", peer == null ? null : peer.name());
        node.put("client_type", peer == null ? null : peer.clientType().wireName());
        node.put("summary", peer == null ? "" : peer.summary());
        node.put("cwd", peer == null ? null : peer.cwd());
        node.put("verified", peer != null && peer.verified());
        return node;
    }

    /** A message in its wire shape (docs/protocol.md, "Message"); times not reached yet are null. */
    public static ObjectNode message(Message message) {
        ObjectNode node = NODES.objectNode();
        node.put("id", message.id());
        node.put("from", message.sender().value());
        node.put("to", message.recipient().value());
        node.put("text", message.text());
        node.put("reply_to", message.replyTo());
        node.put("sent_at", time(message.sentAt()));
        node.put("delivered_at", time(message.deliveredAt()));
        node.put("read_at", time(message.readAt()));
        node.put("state", message.state().wireName());
        node.put("kind", message.kind().wireName());
        node.put("urgency", message.urgency().wireName());
        node.put("released_at", time(message.releasedAt()));
        return node;
    }

    /** Messages in their wire shape, as a JSON array in the list's order. */
    public static ArrayNode messages(List<Message> messages) {
        ArrayNode array = NODES.arrayNode();
        messages.forEach(m -> array.add(message(m)));
        return array;
    }

    /**
     * A message as its recipient gets it: the message and its {@link #sender sender}. {@code sender} is the
     * sending peer, or null for the broker's own notices and for a sender the store no longer has.
     */
    public static ObjectNode envelope(Message message, Peer sender) {
        ObjectNode node = NODES.objectNode();
        node.set("message", message(message));
        node.set("sender", sender(message.sender(), sender));
        return node;
    }

    static String time(Instant instant) {
        return instant == null ? null : instant.toString();
    }

    // ------------------------------------------------------------ wire -> values (client side)

    /**
     * Reads a peer as the broker sends it. Lenient about what a sender summary lacks: absent fields are
     * null, the summary empty and {@code verified} false.
     *
     * @throws io.agentpeers.core.InvalidArgumentException for a client type this client does not know
     * @throws IllegalArgumentException for a state this client does not know
     */
    public static PeerInfo peerInfo(JsonNode node) {
        return new PeerInfo(
                text(node, "id"),
                text(node, "name"),
                node.hasNonNull("client_type")
                        ? ClientType.fromWireName(node.get("client_type").asText())
                        : null,
                text(node, "cwd"),
                text(node, "git_root"),
                text(node, "repo_key"),
                text(node, "repo_remote"),
                text(node, "tty"),
                node.hasNonNull("summary") ? node.get("summary").asText() : "",
                instant(node, "registered_at"),
                instant(node, "last_seen"),
                node.hasNonNull("state")
                        ? PeerState.fromWireName(node.get("state").asText())
                        : null,
                instant(node, "gone_at"),
                node.path("verified").asBoolean(false),
                node.hasNonNull("pid") ? node.get("pid").asLong() : null,
                node.hasNonNull("agent_pid") ? node.get("agent_pid").asLong() : null,
                delivery(node.path("delivery")),
                text(node, "certificate"),
                node.path("broker").hasNonNull("id")
                        ? new PeerHolder(node.get("broker").get("id").asText(), text(node.get("broker"), "host"))
                        : null);
    }

    /** A peer's delivery, or null when absent or on a path this client does not know (a newer broker's). */
    private static Delivery delivery(JsonNode node) {
        if (!node.path("path").isTextual()) {
            return null;
        }
        try {
            return new Delivery(
                    DeliveryPath.fromWireName(node.get("path").asText()),
                    node.path("confirmed").asBoolean(false));
        } catch (InvalidArgumentException unknown) {
            return null;
        }
    }

    /** Reads an array of peers ({@link #peerInfo}), in order. */
    public static List<PeerInfo> peerInfos(JsonNode array) {
        List<PeerInfo> list = new ArrayList<>();
        array.forEach(n -> list.add(peerInfo(n)));
        return list;
    }

    /**
     * Reads a message as the broker sends it. {@code id}, {@code from}, {@code to}, {@code text} and
     * {@code state} are required (a missing one throws {@code NullPointerException}); the others may be
     * null or absent.
     *
     * @throws io.agentpeers.core.InvalidArgumentException for a state this client does not know
     */
    public static Message messageFrom(JsonNode node) {
        return new Message(
                node.get("id").asLong(),
                new PeerId(node.get("from").asText()),
                new PeerId(node.get("to").asText()),
                node.get("text").asText(),
                node.hasNonNull("reply_to") ? node.get("reply_to").asLong() : null,
                instant(node, "sent_at"),
                instant(node, "delivered_at"),
                instant(node, "read_at"),
                MessageState.fromWireName(node.get("state").asText()),
                // Absent from brokers before kind and urgency: a plain message.
                node.hasNonNull("kind")
                        ? MessageKind.fromWireName(node.get("kind").asText())
                        : MessageKind.MESSAGE,
                node.hasNonNull("urgency")
                        ? Urgency.fromWireName(node.get("urgency").asText())
                        : Urgency.NORMAL,
                instant(node, "released_at"));
    }

    /**
     * Reads an array of messages, in order. An element may be a bare message or an envelope, of which
     * only the {@code message} is kept.
     */
    public static List<Message> messagesFrom(JsonNode array) {
        List<Message> list = new ArrayList<>();
        array.forEach(n -> list.add(n.has("message") ? messageFrom(n.get("message")) : messageFrom(n)));
        return list;
    }

    /** Reads a message as delivered: its {@code message} and its {@code sender} (what {@link #envelope} writes). */
    public static Envelope envelopeFrom(JsonNode node) {
        return new Envelope(messageFrom(node.get("message")), peerInfo(node.get("sender")));
    }

    /** Reads an array of envelopes ({@link #envelopeFrom}), in order. */
    public static List<Envelope> envelopesFrom(JsonNode array) {
        List<Envelope> list = new ArrayList<>();
        array.forEach(n -> list.add(envelopeFrom(n)));
        return list;
    }

    static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }

    static Instant instant(JsonNode node, String field) {
        String value = text(node, field);
        return value == null ? null : Instant.parse(value);
    }
}
