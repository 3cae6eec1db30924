package io.agentpeers.broker.dispatch;

import io.agentpeers.core.PeerId;
import io.agentpeers.core.PeerNetwork;
import java.util.ArrayList;
import java.util.List;

/**
 * The peers whose connections close while the broker stops, marked gone together in one write once
 * every connection is closed ({@link PeerNetwork#connectionsClosed}), instead of one write each from
 * the connection workers, which wait for their commits 16 at a time (16 transactions for 100 peers).
 * Before {@link #stopping()} and after {@link #flush()} nothing is held: a close writes on its own.
 * Thread-safe.
 */
final class GoneAtStop {
    private final PeerNetwork network;
    private List<PeerId> held; // guarded by this; non-null only while stopping
    private boolean flushed; // guarded by this

    GoneAtStop(PeerNetwork network) {
        this.network = network;
    }

    /** From now until {@link #flush()}, closes are held. */
    synchronized void stopping() {
        if (held == null && !flushed) {
            held = new ArrayList<>();
        }
    }

    /** Holds {@code peer}'s gone for the flush; false when not stopping (the caller then writes it). */
    synchronized boolean hold(PeerId peer) {
        if (held == null) {
            return false;
        }
        held.add(peer);
        return true;
    }

    /** Writes the held gones in one transaction; later closes write on their own. */
    void flush() {
        List<PeerId> batch;
        synchronized (this) {
            batch = held;
            held = null;
            flushed = true;
        }
        if (batch != null && !batch.isEmpty()) {
            network.connectionsClosed(batch);
        }
    }
}
