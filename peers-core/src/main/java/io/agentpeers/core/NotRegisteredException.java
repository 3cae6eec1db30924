package io.agentpeers.core;

/** A request that needs a registered peer on a connection that has none. */
public class NotRegisteredException extends PeersException {
    public NotRegisteredException(String message) {
        super(ErrorCode.NOT_REGISTERED, message);
    }
}
