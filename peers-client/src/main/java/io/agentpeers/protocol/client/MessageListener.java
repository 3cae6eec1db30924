package io.agentpeers.protocol.client;

import io.agentpeers.protocol.Envelope;

/**
 * Receives pushed messages, one at a time, in order, on the client's callback thread. When it
 * returns normally the client acknowledges the message (it becomes delivered); when it throws, the
 * message stays pending and comes again on the next subscription. Each id reaches it once per client.
 */
@FunctionalInterface
public interface MessageListener {
    void onMessage(Envelope envelope) throws Exception;
}
