package io.agentpeers.protocol;

import io.agentpeers.core.ErrorCode;
import io.agentpeers.core.PeersException;

/**
 * The broker shed this connection: all its connections together held more unread input than its
 * budget, and this one held the most. Reconnect and send lines that are read promptly.
 */
public class BrokerBusyException extends PeersException {
    /** @param message what happened and what to do, for a person or a model */
    public BrokerBusyException(String message) {
        super(ErrorCode.BROKER_BUSY, message);
    }
}
