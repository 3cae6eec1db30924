package io.agentpeers.core;

import io.agentpeers.core.port.StoreTransaction;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The ping-pong guard: two agents that answer each other with nobody else in between ("thanks!",
 * "you're welcome!") burn tokens on both sides. Counts, from the store, the exchanges of a pair (turns:
 * a message of one after a message of the other; several in a row from one side are one turn) within
 * the window since the last message either of them had with a third peer or a person, or the last
 * release by a person; broadcasts and the broker's notices count for nothing. Past the limit, the next
 * messages of the pair are held. Stateless: after a restart the count is read from the store again.
 */
final class ExchangeGuard {
    /** What the guard decided for one message about to be sent. */
    enum Verdict {
        /** Deliver it. */
        DELIVER,
        /** Hold it: the pair just passed the limit; both are told why. */
        HOLD_FIRST,
        /** Hold it: the pair's chain is held already (they were told). */
        HOLD
    }

    private final int limit;
    private final Duration window;

    ExchangeGuard(int limit, Duration window) {
        this.limit = limit;
        this.window = window;
    }

    int limit() {
        return limit;
    }

    Duration window() {
        return window;
    }

    /** Whether a direct message from {@code sender} to {@code recipient} may go now. */
    Verdict judge(StoreTransaction tx, Peer sender, Peer recipient, Instant now) {
        if (limit == 0 || sender.clientType() == ClientType.CLI || recipient.clientType() == ClientType.CLI) {
            return Verdict.DELIVER; // the guard is off, or a person is one of the pair
        }
        Instant since = now.minus(window);
        // One cheap look first: most pairs exchanged fewer than the limit within the window.
        List<Message> pair = tx.history(sender.id(), recipient.id(), limit);
        if (pair.size() < limit || pair.get(pair.size() - 1).sentAt().isBefore(since)) {
            return Verdict.DELIVER;
        }
        int streak = Math.min(
                streak(tx, sender.id(), recipient.id(), since), streak(tx, recipient.id(), sender.id(), since));
        if (streak < limit) {
            return Verdict.DELIVER;
        }
        boolean held = pair.stream()
                .filter(m -> m.kind() != MessageKind.BROADCAST)
                .findFirst()
                .map(m -> m.state() == MessageState.HELD)
                .orElse(false);
        return held ? Verdict.HOLD : Verdict.HOLD_FIRST;
    }

    /**
     * How many turns {@code peer}'s newest messages within the window take with {@code other}: counting
     * stops at one with anyone else (a third peer or a person broke the chain) or one a person released.
     */
    private int streak(StoreTransaction tx, PeerId peer, PeerId other, Instant since) {
        int turns = 0;
        PeerId lastSender = null;
        // Broadcasts, notices and runs from one side are skipped or merged: look well beyond the limit.
        for (Message m : tx.history(peer, null, 2 * limit + 16)) {
            if (m.sentAt().isBefore(since)) {
                break;
            }
            if (m.kind() == MessageKind.BROADCAST || m.sender().equals(PeerId.BROKER)) {
                continue;
            }
            boolean withOther = m.sender().equals(other) || m.recipient().equals(other);
            if (!withOther || m.releasedAt() != null) {
                break;
            }
            if (!m.sender().equals(lastSender)) {
                lastSender = m.sender();
                if (++turns >= limit) {
                    break;
                }
            }
        }
        return turns;
    }
}
