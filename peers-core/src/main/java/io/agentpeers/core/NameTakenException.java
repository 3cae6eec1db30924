package io.agentpeers.core;

/** A name held by a live peer or reserved for a gone one. */
public class NameTakenException extends PeersException {
    public static final String CODE = "name_taken";

    public NameTakenException(String message) {
        super(CODE, message);
    }
}
