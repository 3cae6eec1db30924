package io.agentpeers.store.postgres.internal;

import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;

/**
 * The waits between attempts to reach a server again: a first step that doubles up to a ceiling, each wait
 * shortened by up to a fifth at random, so that brokers cut off together do not come back in step. Not
 * thread-safe: one reconnecting thread owns it.
 */
public final class Backoff {
    /** The fraction of a step the jitter may take off. */
    static final double JITTER = 0.2;

    private final long firstMillis;
    private final long maxMillis;
    private final DoubleSupplier random;
    private long step;

    /**
     * @param firstMillis the first step, at least 1
     * @param maxMillis   the ceiling, at least the first step
     * @param random      values in [0, 1) for the jitter
     */
    public Backoff(long firstMillis, long maxMillis, DoubleSupplier random) {
        if (firstMillis < 1 || maxMillis < firstMillis) {
            throw new IllegalArgumentException(
                    "a backoff needs 1 <= first <= max, got first " + firstMillis + " and max " + maxMillis);
        }
        this.firstMillis = firstMillis;
        this.maxMillis = maxMillis;
        this.random = random;
        this.step = firstMillis;
    }

    /** 100 ms doubling to 5 s, with jitter. */
    public static Backoff standard() {
        return new Backoff(100, 5_000, () -> ThreadLocalRandom.current().nextDouble());
    }

    /** The next wait in milliseconds: this step less its jitter; the step after is twice as long, up to the ceiling. */
    public long next() {
        long current = step;
        step = Math.min(maxMillis, current * 2);
        double r = Math.min(1, Math.max(0, random.getAsDouble()));
        return Math.max(1, current - Math.round(current * JITTER * r));
    }

    /** Starts again from the first step (after a success). */
    public void reset() {
        step = firstMillis;
    }
}
