package io.agentpeers.broker.dispatch;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.agentpeers.core.Delivery;
import io.agentpeers.core.Peer;
import io.agentpeers.core.PeerId;
import io.agentpeers.protocol.codec.PeersJson;
import io.agentpeers.protocol.wire.WireJson;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Each peer's wire JSON as UTF-8, serialised once per version of the peer and its delivery: a {@code list_peers} of
 * 1,000 peers (a 290 KB line) then copies cached bytes into one array instead of building 1,000 JSON
 * trees, then a string, then its bytes. Other brokers' peers (scope {@code network} on a shared store) are
 * cached too: rebuilding 2,000 of them per listing was most of a 100-131 ms {@code network} listing and of the
 * garbage that thrashed the broker's heap. They are read afresh from the store each time, so an entry is
 * reused only while its peer is equal; as no event here says when such a peer leaves, a listing drops the
 * remote entries it did not show once they outnumber twice its own remote peers ({@link #REMOTE_SLACK} more).
 */
final class PeerJsonCache {
    private static final byte[] RESULT_OPEN = ",\"result\":{\"peers\":[".getBytes(StandardCharsets.UTF_8);
    private static final byte[] RESULT_CLOSE = "]}}\n".getBytes(StandardCharsets.UTF_8);

    private record Entry(Peer peer, Delivery delivery, String certificate, byte[] json) {}

    /** Remote entries a listing keeps beyond twice its own remote peers: repo listings show fewer than network. */
    static final int REMOTE_SLACK = 256;

    /** This broker's peers: forgotten on the peer's leave event ({@link #forget}). */
    private final Map<PeerId, Entry> entries = new ConcurrentHashMap<>();
    /** Other brokers' peers: pruned by listings. */
    private final Map<PeerId, Entry> remote = new ConcurrentHashMap<>();

    byte[] json(Peer peer, Delivery delivery, String certificate) {
        Map<PeerId, Entry> cache = peer.heldHere() ? entries : remote;
        Entry entry = cache.get(peer.id());
        // The registry hands out the same instance until the peer changes: no need to compare fields.
        if (entry != null
                && (entry.peer() == peer || entry.peer().equals(peer))
                && Objects.equals(entry.delivery(), delivery)
                && Objects.equals(entry.certificate(), certificate)) {
            return entry.json();
        }
        byte[] json = bytes(PeersJson.peer(peer, delivery, certificate));
        cache.put(peer.id(), new Entry(peer, delivery, certificate, json));
        return json;
    }

    /** Other brokers' peers cached now. */
    int remoteCached() {
        return remote.size();
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
        int remoteShown = 0;
        for (int i = 0; i < parts.length; i++) {
            Peer peer = peers.get(i);
            parts[i] = json(peer, deliveries.apply(peer), certificates.apply(peer));
            size += parts[i].length;
            remoteShown += peer.heldHere() ? 0 : 1;
        }
        if (remote.size() > 2L * remoteShown + REMOTE_SLACK) {
            pruneRemote(peers);
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

    /** Keeps the remote entries of {@code shown} alone: the others left, or another listing will cache them again. */
    private void pruneRemote(List<Peer> shown) {
        Set<PeerId> ids = new HashSet<>();
        for (Peer peer : shown) {
            if (!peer.heldHere()) {
                ids.add(peer.id());
            }
        }
        remote.keySet().retainAll(ids);
    }

    private static int put(byte[] into, int at, byte[] part) {
        System.arraycopy(part, 0, into, at, part.length);
        return at + part.length;
    }

    private static byte[] bytes(JsonNode node) {
        try {
            return WireJson.mapper().writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree always serialises", e);
        }
    }

    private static String write(JsonNode node) {
        try {
            return WireJson.mapper().writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree always serialises", e);
        }
    }
}
