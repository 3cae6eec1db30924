package io.agentpeers.core;

import java.util.List;
import java.util.Objects;

/**
 * What an agent's hook learns about the peer of its session: who it is, and how many messages wait
 * unread from whom. Counts and names only, never a body.
 *
 * @param peer      the live peer whose verified agent is an ancestor of the asking process
 * @param unread    how many messages to it are not yet read (pending or delivered), at most {@link #MAX_COUNTED}
 * @param senders   the display names of their senders, oldest message first, each once, at most {@link #MAX_SENDERS}
 * @param blockStop whether a Stop hook should block: asked for, and a message is unread that is newer than
 *                  every one an earlier block was about
 */
public record AgentUnread(Peer peer, int unread, List<String> senders, boolean blockStop) {
    /** The most unread messages counted; more are reported as this many. */
    public static final int MAX_COUNTED = 1_000;

    /** The most sender names listed. */
    public static final int MAX_SENDERS = 10;

    public AgentUnread {
        Objects.requireNonNull(peer, "peer");
        senders = List.copyOf(senders);
    }
}
