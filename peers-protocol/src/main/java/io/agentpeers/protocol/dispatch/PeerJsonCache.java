package io.agentpeers.protocol.dispatch;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.agentpeers.core.Peer;
import io.agentpeers.core.PeerId;
import io.agentpeers.protocol.codec.PeersJson;
import io.agentpeers.protocol.wire.WireJson;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Each peer's wire JSON, serialised once per version of the peer: a {@code list_peers} of 1,000
 * peers then joins cached strings instead of building and writing 1,000 JSON trees.
 */
final class PeerJsonCache {
    private record Entry(Peer peer, String json) { }

    private final Map<PeerId, Entry> entries = new ConcurrentHashMap<>();

    String json(Peer peer) {
        Entry entry = entries.get(peer.id());
        if (entry != null && entry.peer().equals(peer)) {
            return entry.json();
        }
        String json = write(PeersJson.peer(peer));
        entries.put(peer.id(), new Entry(peer, json));
        return json;
    }

    void forget(PeerId id) {
        entries.remove(id);
    }

    /** The whole response line of a successful {@code list_peers}. */
    String listPeersLine(JsonNode requestId, List<Peer> peers) {
        StringBuilder line = new StringBuilder(64 + peers.size() * 400);
        line.append("{\"jsonrpc\":\"2.0\",\"id\":").append(write(requestId)).append(",\"result\":{\"peers\":[");
        for (int i = 0; i < peers.size(); i++) {
            if (i > 0) {
                line.append(',');
            }
            line.append(json(peers.get(i)));
        }
        return line.append("]}}").toString();
    }

    private static String write(JsonNode node) {
        try {
            return WireJson.mapper().writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree always serialises", e);
        }
    }
}
