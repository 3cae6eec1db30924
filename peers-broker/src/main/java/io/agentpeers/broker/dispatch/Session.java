package io.agentpeers.broker.dispatch;

import io.agentpeers.core.NotRegisteredException;
import io.agentpeers.core.PeerId;

/** What the broker knows of one connection, kept as its attachment. */
final class Session {
    volatile boolean greeted;
    volatile PeerId peer;
    volatile boolean subscribed;

    /** The peer this connection holds: the caller of every method but hello and register. */
    PeerId caller() {
        PeerId held = peer;
        if (held == null) {
            throw new NotRegisteredException("this connection holds no peer: call register first");
        }
        return held;
    }
}
