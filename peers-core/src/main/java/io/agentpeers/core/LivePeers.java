package io.agentpeers.core;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * The live peers, kept in memory from the events of committed transactions, so that listing peers
 * and checking a caller cost no query. The store stays the truth: this is rebuilt empty at start
 * (every peer of a previous run is gone then) and follows each commit before its callers return.
 * Thread-safe.
 */
final class LivePeers {
    private static final Comparator<Peer> REGISTRATION_ORDER =
            Comparator.comparing(Peer::registeredAt).thenComparing(Peer::id);

    private final Map<PeerId, Peer> peers = new ConcurrentHashMap<>();

    void apply(List<PeersEvent> events) {
        for (PeersEvent event : events) {
            if (event instanceof PeersEvent.PeerJoined joined) {
                peers.put(joined.peer().id(), joined.peer());
            } else if (event instanceof PeersEvent.PeerUpdated updated && updated.peer().live()) {
                peers.computeIfPresent(updated.peer().id(), (id, old) -> updated.peer());
            } else if (event instanceof PeersEvent.PeerLeft left) {
                peers.remove(left.peer().id());
            }
        }
    }

    Peer get(PeerId id) {
        return peers.get(id);
    }

    /** Live peers that match, in registration order (then id), as the store lists them. */
    List<Peer> matching(Predicate<Peer> filter) {
        List<Peer> list = new ArrayList<>();
        for (Peer peer : peers.values()) {
            if (filter.test(peer)) {
                list.add(peer);
            }
        }
        list.sort(REGISTRATION_ORDER);
        return list;
    }
}
