package io.agentpeers.core;

/** A message id that names no message the caller may see. */
public class UnknownMessageException extends PeersException {
    /** @param message what happened and how to fix it, for a person or a model */
    public UnknownMessageException(String message) {
        super(ErrorCode.UNKNOWN_MESSAGE, message);
    }
}
