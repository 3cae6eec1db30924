package io.agentpeers.core.port;

import io.agentpeers.core.PeersEvent;
import java.util.List;

/**
 * Told what changed after the transaction that changed it committed, in commit order. The broker
 * uses it to push messages and feed observers.
 *
 * <p>Called on the core's writer thread (for mail other brokers of a shared store wrote, on the store's
 * bell thread, as {@code MessageSent} events): implementations must return quickly (hand off, never block
 * on a socket) and must not throw; an exception is logged by nobody and ignored.
 */
@FunctionalInterface
public interface CommitListener {
    /** Hears nothing. */
    CommitListener NONE = events -> {};

    /** What one commit changed, in the order it happened. */
    void committed(List<PeersEvent> events);
}
