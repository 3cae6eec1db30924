package io.agentpeers.core;

/** A request that needs a registered peer on a connection that has none. */
public class NotRegisteredException extends PeersException {
    /** The {@linkplain PeersException#code() code} on the wire. */
    public static final String CODE = "not_registered";

    /** @param message what happened and how to fix it, for a person or a model */
    public NotRegisteredException(String message) {
        super(CODE, message);
    }
}
