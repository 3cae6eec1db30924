package io.agentpeers.broker.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.IntNode;
import io.agentpeers.core.ClientType;
import io.agentpeers.core.Delivery;
import io.agentpeers.core.Peer;
import io.agentpeers.core.PeerHolder;
import io.agentpeers.core.PeerId;
import io.agentpeers.core.PeerState;
import io.agentpeers.protocol.codec.PeersJson;
import io.agentpeers.protocol.wire.WireJson;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A listing's line holds every peer's JSON; another broker's peers, read afresh from the store each time, are
 * serialised once while they stay equal, and the cache of them does not grow with peers that came and went.
 */
class PeerJsonCacheTest {
    private final PeerJsonCache cache = new PeerJsonCache();

    private static Peer peer(String id, PeerHolder holder, Instant lastSeen) {
        return new Peer(
                new PeerId(id),
                "n-" + id,
                null,
                null,
                "/w",
                null,
                null,
                null,
                null,
                ClientType.GENERIC,
                "summary \"quoted\" é",
                Instant.EPOCH,
                lastSeen,
                PeerState.LIVE,
                null,
                null,
                null,
                null,
                null,
                holder);
    }

    private static Peer remote(int i) {
        return peer(String.format("r%09d", i), new PeerHolder("b-far", "far-host"), Instant.EPOCH);
    }

    private byte[] line(List<Peer> peers) {
        return cache.listPeersLine(IntNode.valueOf(7), peers, p -> Delivery.POLL, p -> null);
    }

    @Test
    void aRemotePeerReadAgainIsNotSerialisedAgainUntilItChanges() throws Exception {
        Peer first = remote(1);
        Peer readAgain = remote(1); // a new instance from the store, equal to the first
        byte[] json = cache.json(first, Delivery.POLL, null);
        assertSame(json, cache.json(readAgain, Delivery.POLL, null));
        Peer seenLater = peer(first.id().value(), first.holder(), Instant.EPOCH.plusSeconds(5));
        byte[] changed = cache.json(seenLater, Delivery.POLL, null);
        assertNotSame(json, changed);
        assertEquals(
                WireJson.mapper().writeValueAsString(PeersJson.peer(seenLater, Delivery.POLL, null)),
                new String(changed, StandardCharsets.UTF_8));
    }

    @Test
    void theLineIsOneJsonRpcResultWithEveryPeerInOrder() throws Exception {
        List<Peer> peers = List.of(peer("h000000001", null, Instant.EPOCH), remote(1), remote(2));
        byte[] line = line(peers);
        assertEquals('\n', line[line.length - 1]);
        JsonNode reply = WireJson.mapper().readTree(line);
        assertEquals(7, reply.get("id").asInt());
        JsonNode listed = reply.get("result").get("peers");
        assertEquals(3, listed.size());
        for (int i = 0; i < 3; i++) {
            assertEquals(peers.get(i).id().value(), listed.get(i).get("id").asText());
        }
        assertEquals("summary \"quoted\" é", listed.get(1).get("summary").asText());
        assertEquals("b-far", listed.get(2).get("broker").get("id").asText());
        assertNull(listed.get(0).get("broker"), "this broker's own peer names no broker");
    }

    @Test
    void remotePeersThatLeftAreDroppedByLaterListings() {
        // 20 rounds of 100 remote peers, each round another 100: only the recent ones stay cached.
        for (int round = 0; round < 20; round++) {
            List<Peer> shown = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                shown.add(remote(round * 100 + i));
            }
            line(shown);
            assertTrue(
                    cache.remoteCached() <= 2 * 100 + PeerJsonCache.REMOTE_SLACK,
                    "round " + round + ": " + cache.remoteCached() + " cached");
        }
        line(List.of(remote(1_000_000)));
        assertEquals(1, cache.remoteCached(), "only the peer of the last listing");
    }
}
