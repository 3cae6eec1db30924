package io.agentpeers.protocol;

import java.time.Instant;

/**
 * The answer to {@code ping}: the broker is there and serving.
 *
 * @param brokerTime the broker's clock when it answered
 */
public record Pong(Instant brokerTime) {}
