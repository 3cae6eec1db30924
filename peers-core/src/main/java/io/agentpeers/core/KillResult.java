package io.agentpeers.core;

/**
 * The outcome of a kill.
 *
 * @param target    the peer whose agent was asked to end
 * @param signalled whether SIGTERM was sent (false when the process had already ended)
 */
public record KillResult(Peer target, boolean signalled) {}
