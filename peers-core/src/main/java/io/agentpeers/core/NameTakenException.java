package io.agentpeers.core;

/** A name held by a live peer or reserved for a gone one. */
public class NameTakenException extends PeersException {
    /** @param message what happened and how to fix it, for a person or a model */
    public NameTakenException(String message) {
        super(ErrorCode.NAME_TAKEN, message);
    }
}
