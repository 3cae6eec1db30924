package io.agentpeers.broker.dispatch;

import io.agentpeers.core.Delivery;
import io.agentpeers.core.NotRegisteredException;
import io.agentpeers.core.PeerId;

/** What the broker knows of one connection, kept as its attachment. */
final class Session {
    volatile boolean greeted;
    volatile PeerId peer;
    volatile boolean subscribed;
    /** How the peer's client said it receives messages ({@code set_delivery}), or null. */
    volatile Delivery delivery;
    /** Whether a hook of the peer's agent asked for its unread messages ({@code agent_unread}). */
    volatile boolean hooksSeen;

    /**
     * How the peer held here receives messages: a path its client saw working, else its hooks once one ran,
     * else what its client reported, else by its subscription.
     */
    Delivery delivery() {
        Delivery reported = delivery;
        if (reported != null && reported.confirmed()) {
            return reported;
        }
        if (hooksSeen) {
            return Delivery.HOOKS;
        }
        if (reported != null) {
            return reported;
        }
        return subscribed ? Delivery.SUBSCRIBED : Delivery.POLL;
    }

    /** The peer this connection holds: the caller of every method but hello and register. */
    PeerId caller() {
        PeerId held = peer;
        if (held == null) {
            throw new NotRegisteredException("this connection holds no peer: call register first");
        }
        return held;
    }
}
