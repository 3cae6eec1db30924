package io.agentpeers.protocol;

import io.agentpeers.core.Message;

/** A message as delivered to its recipient, with who sent it. */
public record Envelope(Message message, PeerInfo sender) {}
