package io.agentpeers.core;

import java.time.InstantSource;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A token bucket per sending peer: {@code perMinute} tokens a minute, at most {@code burst} saved up.
 *
 * <p>A bucket that has refilled to the brim is what a first-time sender gets, so it is dropped: the
 * map holds only the peers that sent within the last refill period (empty to full), however many
 * peers come and go over the broker's life. A sweep runs at most once per that period, on a send.
 */
final class RateLimiter {
    private final InstantSource clock;
    private final int perMinute;
    private final int burst;
    private final long refillMillis;
    private final AtomicLong nextSweepMillis;
    private final ConcurrentMap<PeerId, Bucket> buckets = new ConcurrentHashMap<>();

    RateLimiter(InstantSource clock, int perMinute, int burst) {
        this.clock = clock;
        this.perMinute = perMinute;
        this.burst = burst;
        this.refillMillis = Math.max(1, (long) Math.ceil(burst * 60_000.0 / perMinute));
        this.nextSweepMillis = new AtomicLong(clock.millis() + refillMillis);
    }

    /** Takes {@code count} tokens for {@code sender} or throws {@link RateLimitedException} and takes none. */
    void acquire(PeerId sender, int count) {
        long now = clock.millis();
        sweepIfDue(now);
        long[] waitMillis = {-1}; // stays -1 when the tokens were taken
        // compute() holds the entry while the bucket changes, so a sweep never drops a bucket mid-take.
        buckets.compute(sender, (id, bucket) -> {
            Bucket current = bucket == null ? new Bucket(burst, now) : bucket;
            current.refill(now, perMinute, burst);
            if (current.tokens >= count) {
                current.tokens -= count;
            } else {
                double missing = Math.min(count, burst) - current.tokens;
                waitMillis[0] = (long) Math.ceil(missing * 60_000.0 / perMinute);
            }
            return current;
        });
        if (waitMillis[0] >= 0) {
            throw new RateLimitedException(waitMillis[0], perMinute, burst);
        }
    }

    /** How many senders have a bucket now (a bucket that is full again no longer counts after a sweep). */
    int trackedSenders() {
        return buckets.size();
    }

    private void sweepIfDue(long now) {
        long due = nextSweepMillis.get();
        if (now < due || !nextSweepMillis.compareAndSet(due, now + refillMillis)) {
            return;
        }
        for (PeerId sender : buckets.keySet()) {
            buckets.computeIfPresent(sender, (id, bucket) -> bucket.fullAt(now, perMinute, burst) ? null : bucket);
        }
    }

    private static final class Bucket {
        double tokens;
        long updatedMillis;

        Bucket(double tokens, long now) {
            this.tokens = tokens;
            this.updatedMillis = now;
        }

        void refill(long now, int perMinute, int burst) {
            if (now > updatedMillis) {
                tokens = Math.min(burst, tokens + (now - updatedMillis) * perMinute / 60_000.0);
                updatedMillis = now;
            }
        }

        boolean fullAt(long now, int perMinute, int burst) {
            return tokens + Math.max(0, now - updatedMillis) * perMinute / 60_000.0 >= burst;
        }
    }
}
