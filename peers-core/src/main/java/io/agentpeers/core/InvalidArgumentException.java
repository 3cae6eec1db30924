package io.agentpeers.core;

/** A request carried a value that breaks its documented shape. */
public class InvalidArgumentException extends PeersException {
    public InvalidArgumentException(String message) {
        super(ErrorCode.INVALID_ARGUMENT, message);
    }
}
