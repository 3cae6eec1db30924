package io.agentpeers.core;

/** A message id that names no message the caller may see. */
public class UnknownMessageException extends PeersException {
    /** The {@linkplain PeersException#code() code} on the wire. */
    public static final String CODE = "unknown_message";

    /** @param message what happened and how to fix it, for a person or a model */
    public UnknownMessageException(String message) {
        super(CODE, message);
    }
}
