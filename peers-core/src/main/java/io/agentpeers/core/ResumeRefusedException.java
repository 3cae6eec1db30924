package io.agentpeers.core;

/**
 * An explicit resume that cannot be done: no peer has this secret. Its subclass
 * {@link PeerStillConnectedException} is the other case, a peer still held by a live connection.
 */
public class ResumeRefusedException extends PeersException {
    /** @param message what happened and how to fix it, for a person or a model */
    public ResumeRefusedException(String message) {
        super(ErrorCode.RESUME_REFUSED, message);
    }

    protected ResumeRefusedException(ErrorCode errorCode, String message) {
        super(errorCode, message);
    }
}
