package io.agentpeers.core;

/** The caller may not do this: unverified (TCP) or another user's peer. */
public class NotAuthorizedException extends PeersException {
    public static final String CODE = "not_authorized";

    public NotAuthorizedException(String message) {
        super(CODE, message);
    }
}
