package io.agentpeers.dashboard;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.function.Consumer;

/**
 * What the dashboard needs of the broker: read-only views in the JSON of docs/protocol.md, its events,
 * and the person's actions, which run as the person's own CLI peer under the network's usual rules. The
 * dashboard never sees a store. Methods are called from the dashboard's HTTP threads, several at once;
 * failures are {@link io.agentpeers.core.PeersException}s whose message a person can act on.
 */
public interface DashboardBackend {

    /** Broker facts: version, pid, uptime, database, listeners, connections, peer and message counts. */
    ObjectNode broker();

    /**
     * Every live peer as in {@code observe}, with {@code delivery} and {@code claims} (an array, empty while
     * the broker keeps none).
     */
    ArrayNode peers();

    /** The messages live peers have not read yet, newest first, at most {@code limit}. */
    ArrayNode unreadMessages(int limit);

    /** The name of the CLI peer the dashboard's actions run as. */
    String actingAs();

    /**
     * Starts handing every committed event to {@code listener}, on the broker's push thread: the listener
     * must return at once. Closing stops it.
     */
    AutoCloseable observe(Consumer<CommittedEvent> listener);

    /** Sends {@code text} to one peer (id or name) as the person; {@code replyTo} may be null. */
    ObjectNode send(String to, String text, Long replyTo);

    /** Sends {@code text} to every live peer of a scope (machine, directory, repo) as the person. */
    ObjectNode broadcast(String scope, String text);

    /** Marks every unread message of the person's CLI peer read. */
    ObjectNode readInbox();

    /** Ends a peer's agent through the broker's kill rules, as the person. */
    ObjectNode kill(String peer);
}
