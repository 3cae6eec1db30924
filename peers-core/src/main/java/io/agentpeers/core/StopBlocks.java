package io.agentpeers.core;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * For each peer, the newest unread message that a Stop hook was told to block for, in memory only:
 * a Stop blocks once for a set of unread messages, and again only when a newer one arrives, so that
 * an agent is never held in a loop. A broker restart forgets it (at worst one more block). Thread-safe.
 */
final class StopBlocks {
    /** Above this many entries, those of peers no longer live are dropped. */
    private static final int PRUNE_ABOVE = 1_024;

    private final Map<PeerId, Long> newestBlocked = new ConcurrentHashMap<>();

    /**
     * Whether a Stop should block now that {@code newestUnread} is the newest unread message of {@code peer}
     * (0 for none); remembers it when so.
     */
    boolean block(PeerId peer, long newestUnread) {
        if (newestUnread <= 0) {
            return false;
        }
        boolean[] blocked = {false};
        newestBlocked.compute(peer, (id, before) -> {
            if (before != null && before >= newestUnread) {
                return before;
            }
            blocked[0] = true;
            return newestUnread;
        });
        return blocked[0];
    }

    /** Forgets peers that {@code live} no longer holds, once there are many entries. */
    void prune(LivePeers live) {
        if (newestBlocked.size() > PRUNE_ABOVE) {
            newestBlocked.keySet().removeIf(id -> live.get(id) == null);
        }
    }
}
