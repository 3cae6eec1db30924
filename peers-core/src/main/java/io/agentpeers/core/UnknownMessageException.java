package io.agentpeers.core;

/** A message id that names no message the caller may see. */
public class UnknownMessageException extends PeersException {
    public static final String CODE = "unknown_message";

    public UnknownMessageException(String message) {
        super(CODE, message);
    }
}
