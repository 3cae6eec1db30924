package io.agentpeers.broker.dispatch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.agentpeers.core.Message;
import io.agentpeers.core.Peer;
import io.agentpeers.core.PeerId;
import io.agentpeers.core.PeerNetwork;
import io.agentpeers.protocol.codec.PeersJson;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Messages as the wire shows them, each with its sender's details. Live senders are cached from the
 * committed events, so a push costs no query; gone ones are read from the store.
 */
final class Envelopes {
    private final PeerNetwork network;
    private final Map<PeerId, Peer> liveSenders = new ConcurrentHashMap<>();

    Envelopes(PeerNetwork network) {
        this.network = network;
    }

    void remember(Peer peer) {
        liveSenders.put(peer.id(), peer);
    }

    void forget(PeerId peer) {
        liveSenders.remove(peer);
    }

    /** One message with its sender. */
    JsonNode envelope(Message message) {
        return PeersJson.envelope(message, senderOf(message.sender()));
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
        Peer cached = liveSenders.get(id);
        return cached != null ? cached : network.find(id).orElse(null);
    }
}
