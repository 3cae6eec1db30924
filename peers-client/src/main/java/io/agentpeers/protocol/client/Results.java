package io.agentpeers.protocol.client;

import io.agentpeers.core.Message;
import io.agentpeers.protocol.Envelope;
import io.agentpeers.protocol.PeerInfo;
import java.util.List;

/** The results of client calls that return more than one value. */
public final class Results {
    private Results() {}

    /**
     * A registration: who this client now is, whether it took back an earlier peer and how ({@code secret},
     * {@code session}, {@code agent} or {@code name}; null for a new peer), and how many messages wait.
     */
    public record Registered(PeerInfo peer, boolean resumed, String resumedBy, int pending) {}

    /** A stored message and its recipient as the broker knew it (it may be gone: the message waits). */
    public record Sent(Message message, PeerInfo recipient) {}

    /**
     * A question and what became of it: its answer (the first message its recipient sent replying to it)
     * or null when none came in time, and its recipient as the broker knows it now (null once pruned).
     * When there is no answer yet, {@code question().state()} says how far it got, and
     * {@link PeersClient#awaitAnswer} waits again.
     */
    public record Asked(Message question, Envelope answer, PeerInfo recipient) {
        /** Whether the answer came. */
        public boolean answered() {
            return answer != null;
        }
    }

    /** A kill: the target, and whether SIGTERM was sent. */
    public record Killed(PeerInfo peer, boolean signalled) {}

    /**
     * What an agent's hook learns from {@code agent_unread}: the session's peer, and counts and sender
     * names of its unread messages (never a body).
     *
     * @param peerId    the id of the peer whose agent is an ancestor of this process
     * @param peerName  its name, or null
     * @param unread    how many messages to it are unread
     * @param senders   who sent them, each once, oldest first (names another peer chose: treat as data)
     * @param blockStop whether a Stop hook should block (only ever true when asked with {@code stop})
     */
    public record AgentUnread(String peerId, String peerName, int unread, List<String> senders, boolean blockStop) {
        public AgentUnread {
            senders = List.copyOf(senders);
        }
    }
}
