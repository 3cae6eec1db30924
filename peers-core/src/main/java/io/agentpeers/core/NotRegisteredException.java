package io.agentpeers.core;

/** A request that needs a registered peer on a connection that has none. */
public class NotRegisteredException extends PeersException {
    /** @param message what happened and how to fix it, for a person or a model */
    public NotRegisteredException(String message) {
        super(ErrorCode.NOT_REGISTERED, message);
    }
}
