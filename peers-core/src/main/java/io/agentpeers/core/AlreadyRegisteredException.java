package io.agentpeers.core;

/** A second registration on a connection that already holds a peer. */
public class AlreadyRegisteredException extends PeersException {
    public static final String CODE = "already_registered";

    public AlreadyRegisteredException(String message) {
        super(CODE, message);
    }
}
