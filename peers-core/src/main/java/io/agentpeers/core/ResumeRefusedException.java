package io.agentpeers.core;

/** An explicit resume with an unknown secret, or of a peer that is still live. */
public class ResumeRefusedException extends PeersException {
    public static final String CODE = "resume_refused";

    public ResumeRefusedException(String message) {
        super(CODE, message);
    }
}
