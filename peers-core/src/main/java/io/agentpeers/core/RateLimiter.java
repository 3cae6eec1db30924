package io.agentpeers.core;

import java.time.InstantSource;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/** A token bucket per sending peer: {@code perMinute} tokens a minute, at most {@code burst} saved up. */
final class RateLimiter {
    private final InstantSource clock;
    private final int perMinute;
    private final int burst;
    private final ConcurrentMap<PeerId, Bucket> buckets = new ConcurrentHashMap<>();

    RateLimiter(InstantSource clock, int perMinute, int burst) {
        this.clock = clock;
        this.perMinute = perMinute;
        this.burst = burst;
    }

    /** Takes {@code count} tokens for {@code sender} or throws {@link RateLimitedException} and takes none. */
    void acquire(PeerId sender, int count) {
        long now = clock.millis();
        Bucket bucket = buckets.computeIfAbsent(sender, id -> new Bucket(burst, now));
        long waitMillis;
        synchronized (bucket) {
            bucket.refill(now, perMinute, burst);
            if (bucket.tokens >= count) {
                bucket.tokens -= count;
                return;
            }
            double missing = Math.min(count, burst) - bucket.tokens;
            waitMillis = (long) Math.ceil(missing * 60_000.0 / perMinute);
        }
        throw new RateLimitedException(waitMillis, perMinute, burst);
    }

    /** Forgets a peer's bucket (it left for good). */
    void forget(PeerId sender) {
        buckets.remove(sender);
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
    }
}
