package io.agentpeers.core;

/** A request carried a value that breaks its documented shape. */
public class InvalidArgumentException extends PeersException {
    /** @param message what happened and how to fix it, for a person or a model */
    public InvalidArgumentException(String message) {
        super(ErrorCode.INVALID_ARGUMENT, message);
    }
}
