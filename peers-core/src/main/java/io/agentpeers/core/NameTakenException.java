package io.agentpeers.core;

/** A name held by a live peer or reserved for a gone one. */
public class NameTakenException extends PeersException {
    /** The {@linkplain PeersException#code() code} on the wire. */
    public static final String CODE = "name_taken";

    /** @param message what happened and how to fix it, for a person or a model */
    public NameTakenException(String message) {
        super(CODE, message);
    }
}
