package io.agentpeers.core;

/**
 * A resume of a peer that a live connection still holds: wait until that connection closes (a
 * command that just ended) or use another identity. Unlike its parent, starting afresh is no fix.
 */
public class PeerStillConnectedException extends ResumeRefusedException {
    public PeerStillConnectedException(String message) {
        super(ErrorCode.PEER_STILL_CONNECTED, message);
    }
}
