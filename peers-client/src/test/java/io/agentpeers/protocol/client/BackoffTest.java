package io.agentpeers.protocol.client;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BackoffTest {
    private static final Duration FIRST = Duration.ofMillis(50);
    private static final Duration MAX = Duration.ofSeconds(1);

    private static List<Long> delays(Backoff backoff, int count) {
        List<Long> list = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            list.add(backoff.nextDelayMillis());
        }
        return list;
    }

    @Test
    void eachDelayStaysWithinHalfAStepAndAStepAndTheStepDoublesUpToTheCap() {
        Backoff backoff = new Backoff(FIRST, MAX, new Random(7));
        long step = FIRST.toMillis();
        for (long delay : delays(backoff, 12)) {
            assertTrue(delay >= step / 2 && delay <= step, delay + " ms outside [" + step / 2 + ", " + step + "]");
            step = Math.min(MAX.toMillis(), step * 2);
        }
    }

    @Test
    void twoClientsDoNotRetryInLockstep() {
        List<Long> first = delays(Backoff.forReconnects(), 10);
        List<Long> second = delays(Backoff.forReconnects(), 10);
        assertNotEquals(first, second, "two clients drew the same ten delays: " + first);
        // Even seeded alike but for one bit, the clients part at once.
        assertNotEquals(
                delays(new Backoff(FIRST, MAX, new Random(1)), 10), delays(new Backoff(FIRST, MAX, new Random(2)), 10));
    }

    @Test
    void aThousandClientsAtTheCapSpreadOverHalfASecond() {
        long lowest = Long.MAX_VALUE;
        long highest = 0;
        for (int client = 0; client < 1_000; client++) {
            Backoff backoff = Backoff.forReconnects();
            long atCap = delays(backoff, 8).get(7);
            lowest = Math.min(lowest, atCap);
            highest = Math.max(highest, atCap);
        }
        assertTrue(lowest >= 500 && highest <= 1_000, lowest + ".." + highest);
        assertTrue(highest - lowest > 400, "spread " + lowest + ".." + highest);
    }
}
