package io.agentpeers.core;

/** A request that needs a registered peer on a connection that has none. */
public class NotRegisteredException extends PeersException {
    public static final String CODE = "not_registered";

    public NotRegisteredException(String message) {
        super(CODE, message);
    }
}
