package io.agentpeers.broker.dispatch;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.agentpeers.core.Delivery;
import io.agentpeers.core.Peer;
import io.agentpeers.core.PeerId;
import io.agentpeers.protocol.codec.PeersJson;
import io.agentpeers.protocol.wire.WireJson;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Each peer's wire JSON as UTF-8, serialised once per version of the peer and its delivery: a {@code list_peers} of
 * 1,000 peers (a 290 KB line) then copies cached bytes into one array instead of building 1,000 JSON
 * trees, then a string, then its bytes.
 */
final class PeerJsonCache {
    private static final byte[] RESULT_OPEN = ",\"result\":{\"peers\":[".getBytes(StandardCharsets.UTF_8);
    private static final byte[] RESULT_CLOSE = "]}}\n".getBytes(StandardCharsets.UTF_8);

    private record Entry(Peer peer, Delivery delivery, String certificate, byte[] json) {}

    private final Map<PeerId, Entry> entries = new ConcurrentHashMap<>();

    byte[] json(Peer peer, Delivery delivery, String certificate) {
        Entry entry = entries.get(peer.id());
        // The registry hands out the same instance until the peer changes: no need to compare fields.
        if (entry != null
                && (entry.peer() == peer || entry.peer().equals(peer))
                && Objects.equals(entry.delivery(), delivery)
                && Objects.equals(entry.certificate(), certificate)) {
            return entry.json();
        }
        byte[] json = write(PeersJson.peer(peer, delivery, certificate)).getBytes(StandardCharsets.UTF_8);
        if (peer.heldHere()) { // another broker's peer leaves no event here that would forget it
            entries.put(peer.id(), new Entry(peer, delivery, certificate, json));
        }
        return json;
    }

    void forget(PeerId id) {
        entries.remove(id);
    }

    /** The whole response line of a successful {@code list_peers}, framed for the wire. */
    byte[] listPeersLine(
            JsonNode requestId,
            List<Peer> peers,
            Function<Peer, Delivery> deliveries,
            Function<Peer, String> certificates) {
        byte[] head = ("{\"jsonrpc\":\"2.0\",\"id\":" + write(requestId)).getBytes(StandardCharsets.UTF_8);
        byte[][] parts = new byte[peers.size()][];
        int size = head.length + RESULT_OPEN.length + Math.max(0, peers.size() - 1) + RESULT_CLOSE.length;
        for (int i = 0; i < parts.length; i++) {
            parts[i] = json(peers.get(i), deliveries.apply(peers.get(i)), certificates.apply(peers.get(i)));
            size += parts[i].length;
        }
        byte[] line = new byte[size];
        int at = put(line, 0, head);
        at = put(line, at, RESULT_OPEN);
        for (int i = 0; i < parts.length; i++) {
            if (i > 0) {
                line[at++] = ',';
            }
            at = put(line, at, parts[i]);
        }
        put(line, at, RESULT_CLOSE);
        return line;
    }

    private static int put(byte[] into, int at, byte[] part) {
        System.arraycopy(part, 0, into, at, part.length);
        return at + part.length;
    }

    private static String write(JsonNode node) {
        try {
            return WireJson.mapper().writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree always serialises", e);
        }
    }
}
