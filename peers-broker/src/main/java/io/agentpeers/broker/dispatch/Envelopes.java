package io.agentpeers.broker.dispatch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentpeers.core.Message;
import io.agentpeers.core.Peer;
import io.agentpeers.core.PeerId;
import io.agentpeers.core.PeerNetwork;
import io.agentpeers.protocol.codec.PeersJson;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Messages as the wire shows them, each with its sender's details. Live senders are cached from the
 * committed events, so a push costs no query; gone ones are read from the store and kept for a few
 * seconds ({@link #GONE_FOR_NANOS}): after a restart no sender is live, and 2,000 peers asking for their
 * 50 pending messages from 10 senders made 20,000 reads of the same 10 rows (most of a resume's CPU).
 * A gone peer changes only by coming back (a join, which replaces the entry) or by being pruned after
 * the retention period, so the few seconds cost nothing a recipient could notice.
 */
final class Envelopes {
    private static final long GONE_FOR_NANOS = TimeUnit.SECONDS.toNanos(5);
    private static final int MAX_GONE = 4096;

    private record Read(Peer peer, long atNanos) {}

    private final PeerNetwork network;
    private final Function<PeerId, String> certificates;
    private final Map<PeerId, Peer> liveSenders = new ConcurrentHashMap<>();
    private final Map<PeerId, Read> goneSenders = new ConcurrentHashMap<>();

    /** @param certificates the client certificate's name of a sender held over TLS now, else null */
    Envelopes(PeerNetwork network, Function<PeerId, String> certificates) {
        this.network = network;
        this.certificates = certificates;
    }

    void remember(Peer peer) {
        liveSenders.put(peer.id(), peer);
        goneSenders.remove(peer.id());
    }

    void forget(PeerId peer) {
        liveSenders.remove(peer);
        goneSenders.remove(peer);
    }

    /** One message with its sender. */
    JsonNode envelope(Message message) {
        ObjectNode envelope = PeersJson.envelope(message, senderOf(message.sender()));
        String certificate = message.sender().equals(PeerId.BROKER) ? null : certificates.apply(message.sender());
        if (certificate != null) {
            ((ObjectNode) envelope.get("sender")).put("certificate", certificate);
        }
        return envelope;
    }

    /** {@code {"messages": [envelope, ...]}}. */
    JsonNode messages(List<Message> messages) {
        ArrayNode array = JsonNodeFactory.instance.arrayNode();
        messages.forEach(message -> array.add(envelope(message)));
        return JsonNodeFactory.instance.objectNode().set("messages", array);
    }

    private Peer senderOf(PeerId id) {
        if (id.equals(PeerId.BROKER)) {
            return null;
        }
        Peer live = liveSenders.get(id);
        if (live != null) {
            return live;
        }
        long now = System.nanoTime();
        Read read = goneSenders.get(id);
        if (read == null || now - read.atNanos() > GONE_FOR_NANOS) {
            read = new Read(network.find(id).orElse(null), now);
            if (goneSenders.size() >= MAX_GONE) {
                goneSenders.clear();
            }
            goneSenders.put(id, read);
        }
        return read.peer();
    }
}
