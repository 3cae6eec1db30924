package io.agentpeers.protocol;

import io.agentpeers.core.ErrorCode;
import io.agentpeers.core.PeersException;

/** Client and broker speak different protocol versions; the message says which side to upgrade or restart. */
public class VersionMismatchException extends PeersException {
    /** @param message what happened and how to fix it, for a person or a model */
    public VersionMismatchException(String message) {
        super(ErrorCode.VERSION_MISMATCH, message);
    }
}
