package io.agentpeers.core;

/** A second registration on a connection that already holds a peer. */
public class AlreadyRegisteredException extends PeersException {
    /** @param message what happened and how to fix it, for a person or a model */
    public AlreadyRegisteredException(String message) {
        super(ErrorCode.ALREADY_REGISTERED, message);
    }
}
