package io.agentpeers.protocol.client;

import io.agentpeers.core.Message;
import io.agentpeers.protocol.PeerInfo;

/** The results of client calls that return more than one value. */
public final class Results {
    private Results() {}

    /** A registration: who this client now is, and whether it took back an earlier peer. */
    public record Registered(PeerInfo peer, boolean resumed, int pending) {}

    /** A stored message and its recipient as the broker knew it (it may be gone: the message waits). */
    public record Sent(Message message, PeerInfo recipient) {}

    /** A kill: the target, and whether SIGTERM was sent. */
    public record Killed(PeerInfo peer, boolean signalled) {}
}
