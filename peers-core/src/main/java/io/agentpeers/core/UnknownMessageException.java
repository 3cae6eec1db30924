package io.agentpeers.core;

/** A message id that names no message the caller may see. */
public class UnknownMessageException extends PeersException {
    public UnknownMessageException(String message) {
        super(ErrorCode.UNKNOWN_MESSAGE, message);
    }
}
