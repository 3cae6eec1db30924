package io.agentpeers.broker.dispatch;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentpeers.core.Credentials;
import io.agentpeers.core.Peer;
import java.util.function.Supplier;

/** What the dispatcher needs from the broker around it. */
public interface BrokerContext {

    /** Whether {@code token} is the broker's TCP token (compared in constant time). */
    boolean tokenAccepted(String token);

    /** Where the broker's token is, for a refused caller: "the file PATH on the broker's machine". */
    String tokenLocation();

    /** Adds broker-wide facts to a {@code stats} result: start time, database, listeners, orphans, last sweep. */
    void describe(ObjectNode stats);

    /**
     * Serves the dashboard (from the first call on, until the broker stops) with its actions run as
     * {@code person}, whose connection showed {@code credentials}; answers {@code url} (a fresh one-time
     * login link), {@code port} and whether it {@code started} now.
     */
    ObjectNode serveDashboard(int port, Peer person, Credentials credentials);

    /**
     * Runs {@code kill} while no dashboard action holds the person's CLI peer: during an action that peer is
     * live with the broker's own process as its agent, and ending it would end the broker.
     */
    <T> T apartFromDashboardActions(Supplier<T> kill);

    /** Stops the broker soon, after the current replies are written; returns at once. */
    void requestShutdown();
}
