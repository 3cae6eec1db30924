package io.agentpeers.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.time.InstantSource;
import org.junit.jupiter.api.Test;

/** The token buckets: burst, refill, refusal without taking, and a map that forgets idle senders. */
class RateLimiterTest {
    private static final PeerId ALICE = new PeerId("alice");
    private static final PeerId BOB = new PeerId("bob");

    private final ManualClock clock = new ManualClock();
    /** 60 a minute is one a second; at most 5 saved up, so a bucket is full again after 5 s idle. */
    private final RateLimiter limiter = new RateLimiter(clock, 60, 5);

    @Test
    void aBurstIsAllowedThenTheSenderWaitsForTheRefill() {
        limiter.acquire(ALICE, 5);
        RateLimitedException refused = assertThrows(RateLimitedException.class, () -> limiter.acquire(ALICE, 1));
        assertEquals(1_000, refused.retryAfterMillis());
        limiter.acquire(BOB, 5); // every sender has a bucket of its own

        clock.advance(999);
        assertThrows(RateLimitedException.class, () -> limiter.acquire(ALICE, 1));
        clock.advance(1);
        limiter.acquire(ALICE, 1);
        assertThrows(RateLimitedException.class, () -> limiter.acquire(ALICE, 1));
    }

    @Test
    void aRefusedRequestTakesNothing() {
        limiter.acquire(ALICE, 3);
        RateLimitedException refused = assertThrows(RateLimitedException.class, () -> limiter.acquire(ALICE, 4));
        assertEquals(2_000, refused.retryAfterMillis(), "two tokens are missing");
        limiter.acquire(ALICE, 2); // the two left are still there
    }

    @Test
    void theRefillStopsAtTheBurst() {
        limiter.acquire(ALICE, 5);
        clock.advance(60_000);
        limiter.acquire(ALICE, 5);
        assertThrows(RateLimitedException.class, () -> limiter.acquire(ALICE, 1), "a minute idle saves 5, not 60");
    }

    @Test
    void manyPeersComingAndGoingLeaveABoundedMap() {
        for (int round = 0; round < 100; round++) {
            for (int i = 0; i < 100; i++) {
                limiter.acquire(new PeerId("p" + round + "x" + i), 1);
            }
            clock.advance(6_000); // longer than a refill: the round's buckets are full again
        }
        limiter.acquire(ALICE, 1); // the send that sweeps
        assertTrue(limiter.trackedSenders() <= 101, "10,000 senders seen, " + limiter.trackedSenders() + " kept");
    }

    @Test
    void aBucketStillRefillingIsKeptSoForgettingNeverResetsALimit() {
        clock.advance(3_000);
        limiter.acquire(ALICE, 5);
        clock.advance(2_000); // a sweep is due (5 s since the start), Alice has two of five back
        limiter.acquire(BOB, 1);
        assertEquals(2, limiter.trackedSenders());
        limiter.acquire(ALICE, 2);
        assertThrows(RateLimitedException.class, () -> limiter.acquire(ALICE, 1));
    }

    private static final class ManualClock implements InstantSource {
        private long millis = 1_767_258_000_000L;

        void advance(long by) {
            millis += by;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis);
        }

        @Override
        public long millis() {
            return millis;
        }
    }
}
