package io.agentpeers.core;

/** An explicit resume with an unknown secret, or of a peer that is still live. */
public class ResumeRefusedException extends PeersException {
    /** The {@linkplain PeersException#code() code} on the wire. */
    public static final String CODE = "resume_refused";

    /** @param message what happened and how to fix it, for a person or a model */
    public ResumeRefusedException(String message) {
        super(CODE, message);
    }
}
