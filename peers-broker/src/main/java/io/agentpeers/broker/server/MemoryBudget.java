package io.agentpeers.broker.server;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToLongFunction;

/**
 * The memory that all connections of a server together may hold in one direction: for input, partial
 * lines and lines read but not yet handled; for output, replies and notifications queued for callers
 * that read slowly. A per-connection limit alone lets forty stalled connections each hold megabytes;
 * this bounds their sum. When the total goes over the limit, the connection holding the most (not
 * necessarily the one that charged last) is the one to shed, so that many small, quick callers keep
 * being served while one that hoards is closed.
 *
 * <p>Thread-safe: selector loops and workers charge and release concurrently.
 */
final class MemoryBudget {
    private final long limit;
    private final ToLongFunction<ServerConnection> heldBy;
    private final AtomicLong held = new AtomicLong();
    /** Connections chosen to shed whose memory is not yet released. */
    private final AtomicInteger shedding = new AtomicInteger();

    private final Set<ServerConnection> holders = ConcurrentHashMap.newKeySet();

    /** @param heldBy what one connection holds now, to choose whom to shed */
    MemoryBudget(long limit, ToLongFunction<ServerConnection> heldBy) {
        this.limit = limit;
        this.heldBy = heldBy;
    }

    long limit() {
        return limit;
    }

    /** Bytes held by all connections now. */
    long held() {
        return held.get();
    }

    /**
     * Records that {@code connection} holds {@code delta} bytes more (fewer, when negative), and
     * {@code heldAfter} in all.
     *
     * @return whether the total is over the limit
     */
    boolean charge(ServerConnection connection, long delta, long heldAfter) {
        if (heldAfter > 0) {
            holders.add(connection);
        } else {
            holders.remove(connection);
        }
        return held.addAndGet(delta) > limit;
    }

    boolean overLimit() {
        return held.get() > limit;
    }

    /**
     * Starts shedding one connection, unless another is being shed: what it holds is released on its
     * own loop a moment later, and choosing more victims before that would shed connections the budget
     * has room for.
     */
    boolean startShedding() {
        return shedding.compareAndSet(0, 1);
    }

    /** The connection being shed released what it held. */
    void shedDone() {
        shedding.decrementAndGet();
    }

    /** The connection that holds the most and is not being shed already, or null. */
    ServerConnection largestHolder() {
        ServerConnection largest = null;
        long most = 0;
        for (ServerConnection holder : holders) {
            long bytes = heldBy.applyAsLong(holder);
            if (bytes > most && !holder.isShed()) {
                most = bytes;
                largest = holder;
            }
        }
        return largest;
    }
}
