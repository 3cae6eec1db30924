package io.agentpeers.core;

/** The caller may not do this: unverified (TCP) or another user's peer. */
public class NotAuthorizedException extends PeersException {
    /** @param message what happened and how to fix it, for a person or a model */
    public NotAuthorizedException(String message) {
        super(ErrorCode.NOT_AUTHORIZED, message);
    }
}
