package io.agentpeers.core;

/** A stored message and the peer it went to, as the store knew it at that moment (it may be gone). */
public record SendResult(Message message, Peer recipient) {}
