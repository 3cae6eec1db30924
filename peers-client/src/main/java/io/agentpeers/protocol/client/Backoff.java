package io.agentpeers.protocol.client;

import java.time.Duration;
import java.util.Objects;
import java.util.Random;

/**
 * Delays between reconnect attempts: exponential, capped, with "equal jitter" (half of each step
 * fixed, half random), so that a thousand clients of a restarted broker spread their attempts
 * instead of retrying in lockstep, and none waits less than half a step. Not thread-safe: one per run of a loop.
 */
final class Backoff {
    private final long firstMillis;
    private final long maxMillis;
    private final Random random;
    private long stepMillis;

    Backoff(Duration first, Duration max, Random random) {
        if (first.isNegative() || first.isZero() || max.compareTo(first) < 0) {
            throw new IllegalArgumentException("0 < first <= max, got " + first + " and " + max);
        }
        this.firstMillis = first.toMillis();
        this.maxMillis = max.toMillis();
        this.random = Objects.requireNonNull(random, "random");
        this.stepMillis = firstMillis;
    }

    /** The default of a client: from 50 ms, doubling, up to 1 s. */
    static Backoff forReconnects() {
        return new Backoff(Duration.ofMillis(50), Duration.ofSeconds(1), new Random());
    }

    /** The next delay, in [step/2, step] of the current step; then the step doubles, up to the cap. */
    long nextDelayMillis() {
        long half = stepMillis / 2;
        long delay = half + (long) (random.nextDouble() * (stepMillis - half + 1));
        stepMillis = Math.min(maxMillis, stepMillis * 2);
        return Math.min(delay, maxMillis);
    }
}
