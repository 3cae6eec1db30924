package io.agentpeers.local;

import io.agentpeers.core.ErrorCode;
import io.agentpeers.core.PeersException;

/** A broker could not be started in the background: it failed to spawn, exited, or did not answer in time. */
public class BrokerStartFailedException extends PeersException {
    public BrokerStartFailedException(String message) {
        super(ErrorCode.BROKER_START_FAILED, message);
    }

    public BrokerStartFailedException(String message, Throwable cause) {
        super(ErrorCode.BROKER_START_FAILED, message, cause);
    }
}
