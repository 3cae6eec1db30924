package io.agentpeers.core;

/** A peer name that is not 1 to 32 of a-z, 0-9 and '-', or that looks like an id. */
public class InvalidNameException extends PeersException {
    /** @param message what happened and how to fix it, for a person or a model */
    public InvalidNameException(String message) {
        super(ErrorCode.INVALID_NAME, message);
    }
}
