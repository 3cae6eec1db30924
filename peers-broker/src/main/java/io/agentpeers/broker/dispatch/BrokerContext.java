package io.agentpeers.broker.dispatch;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** What the dispatcher needs from the broker around it. */
public interface BrokerContext {

    /** Whether {@code token} is the broker's TCP token (compared in constant time). */
    boolean tokenAccepted(String token);

    /** Where the broker's token is, for a refused caller: "the file PATH on the broker's machine". */
    String tokenLocation();

    /** Adds broker-wide facts to a {@code stats} result: start time, database, listeners, orphans, last sweep. */
    void describe(ObjectNode stats);

    /** Stops the broker soon, after the current replies are written; returns at once. */
    void requestShutdown();
}
