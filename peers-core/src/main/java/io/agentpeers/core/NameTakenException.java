package io.agentpeers.core;

/** A name held by a live peer or reserved for a gone one. */
public class NameTakenException extends PeersException {
    public NameTakenException(String message) {
        super(ErrorCode.NAME_TAKEN, message);
    }
}
