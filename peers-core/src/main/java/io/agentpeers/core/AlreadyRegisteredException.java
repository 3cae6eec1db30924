package io.agentpeers.core;

/** A second registration on a connection that already holds a peer. */
public class AlreadyRegisteredException extends PeersException {
    public AlreadyRegisteredException(String message) {
        super(ErrorCode.ALREADY_REGISTERED, message);
    }
}
