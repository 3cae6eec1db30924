package io.agentpeers.core;

/** A request carried a value that breaks its documented shape. */
public class InvalidArgumentException extends PeersException {
    public static final String CODE = "invalid_argument";

    public InvalidArgumentException(String message) {
        super(CODE, message);
    }
}
