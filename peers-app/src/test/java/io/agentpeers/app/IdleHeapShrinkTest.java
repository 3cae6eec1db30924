package io.agentpeers.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** When the broker's main thread asks for a full collection: once a busy spell is over, never while busy. */
class IdleHeapShrinkTest {
    private static final long SECOND = 1_000_000_000L;
    private static final long MIB = 1L << 20;

    private long cpu;
    private long committed = 20 * MIB;
    private long used = 15 * MIB;
    /** What a collection leaves: the live part. */
    private long live = 8 * MIB;

    private int collections;
    private int busyChecks;
    private long now;

    private IdleHeapShrink shrink() {
        return new IdleHeapShrink(() -> cpu, () -> committed, () -> used, () -> busyChecks++, this::collect, now);
    }

    private void collect() {
        collections++;
        used = live;
        committed = Math.max(live + live / 2, 8 * MIB);
    }

    /** Five seconds pass, with {@code cpuMillis} of CPU used in them. */
    private boolean step(IdleHeapShrink shrink, long cpuMillis) {
        now += 5 * SECOND;
        cpu += cpuMillis * 1_000_000L;
        return shrink.check(now);
    }

    @Test
    void collectsOnceTheBrokerIsQuietThenOnlyAfterItsHeapGrewAgain() {
        IdleHeapShrink shrink = shrink();
        assertFalse(step(shrink, 10), "one quiet look is a pause, not the end of a spell");
        assertTrue(step(shrink, 10), "two quiet looks in a row: the start-up's garbage goes");
        assertEquals(12 * MIB, committed);
        for (int i = 0; i < 10; i++) {
            assertFalse(step(shrink, 5), "the heap is back: no more collections");
        }
        // A busy spell: the heap grows, nothing is collected while it lasts.
        for (int i = 0; i < 6; i++) {
            committed += 3 * MIB;
            used += 3 * MIB;
            assertFalse(step(shrink, 3000), "busy at " + i);
        }
        assertFalse(step(shrink, 20));
        assertTrue(step(shrink, 20), "quiet again, 18 MiB larger");
        assertEquals(2, collections);
        assertEquals(12 * MIB, committed);
    }

    @Test
    void neverCollectsWhileBusyHoweverLargeTheHeap() {
        IdleHeapShrink shrink = shrink();
        committed = 48 * MIB;
        used = 40 * MIB;
        for (int i = 0; i < 20; i++) {
            assertFalse(step(shrink, i % 2 == 0 ? 2000 : 600), "busy at " + i);
        }
        assertEquals(0, collections);
        assertEquals(20, busyChecks, "each busy look says so: the heap may grow while the spell lasts");
    }

    @Test
    void quietLooksNeverSayBusy() {
        IdleHeapShrink shrink = shrink();
        for (int i = 0; i < 10; i++) {
            step(shrink, 20);
        }
        assertEquals(0, busyChecks);
        step(shrink, 1000);
        assertEquals(1, busyChecks);
    }

    @Test
    void garbageThatPilesUpInAQuietHeapIsCollectedEvenWhenTheHeapDoesNotGrow() {
        IdleHeapShrink shrink = shrink();
        step(shrink, 0);
        assertTrue(step(shrink, 0));
        used += 3 * MIB;
        for (int i = 0; i < 5; i++) {
            assertFalse(step(shrink, 0), "3 MiB more in use: not worth it");
        }
        used += 2 * MIB;
        assertTrue(step(shrink, 0), "5 MiB more in use than the last collection left");
        assertEquals(2, collections);
    }

    @Test
    void aHeapThatStaysLargeAfterACollectionIsNotCollectedOverAndOver() {
        live = 30 * MIB; // all of it live: the collection gives nothing back
        committed = 40 * MIB;
        used = 35 * MIB;
        IdleHeapShrink shrink = shrink();
        step(shrink, 0);
        assertTrue(step(shrink, 0));
        for (int i = 0; i < 20; i++) {
            assertFalse(step(shrink, 0));
        }
        assertEquals(1, collections);
    }
}
