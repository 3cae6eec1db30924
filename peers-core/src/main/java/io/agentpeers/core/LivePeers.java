package io.agentpeers.core;

import java.util.ArrayList;
import java.util.Arrays;
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
    /**
     * Every live peer in registration order, rebuilt on the first read after a change; null until
     * then. Changes and rebuilds hold this object's lock, so a rebuild never sees half a change.
     */
    private volatile Peer[] ordered;

    synchronized void apply(List<PeersEvent> events) {
        boolean changed = false;
        for (PeersEvent event : events) {
            if (event instanceof PeersEvent.PeerJoined joined) {
                peers.put(joined.peer().id(), joined.peer());
                changed = true;
            } else if (event instanceof PeersEvent.PeerUpdated updated
                    && updated.peer().live()) {
                changed |= peers.computeIfPresent(updated.peer().id(), (id, old) -> updated.peer()) != null;
            } else if (event instanceof PeersEvent.PeerLeft left) {
                changed |= peers.remove(left.peer().id()) != null;
            }
        }
        if (changed) {
            ordered = null;
        }
    }

    Peer get(PeerId id) {
        return peers.get(id);
    }

    /**
     * Live peers that match, in registration order (then id), as the store lists them. Peers change
     * far less often than they are listed, so the order is kept rather than sorted for each call.
     */
    List<Peer> matching(Predicate<Peer> filter) {
        Peer[] all = ordered;
        if (all == null) {
            all = rebuildOrder();
        }
        List<Peer> list = new ArrayList<>(all.length);
        for (Peer peer : all) {
            if (filter.test(peer)) {
                list.add(peer);
            }
        }
        return list;
    }

    private synchronized Peer[] rebuildOrder() {
        Peer[] all = ordered;
        if (all == null) {
            all = peers.values().toArray(new Peer[0]);
            Arrays.sort(all, REGISTRATION_ORDER);
            ordered = all;
        }
        return all;
    }
}
