package io.agentpeers.store.postgres.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BackoffTest {

    @Test
    void withoutJitterTheStepsDoubleFromTheFirstToTheCeilingAndStayThere() {
        Backoff backoff = new Backoff(100, 5_000, () -> 0.0);
        List<Long> waits = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
            waits.add(backoff.next());
        }
        assertEquals(List.of(100L, 200L, 400L, 800L, 1_600L, 3_200L, 5_000L, 5_000L, 5_000L), waits);
    }

    @Test
    void theJitterTakesAtMostAFifthOffEachStep() {
        Backoff most = new Backoff(100, 5_000, () -> 0.999_999);
        assertEquals(80, most.next());
        assertEquals(160, most.next());
        Backoff half = new Backoff(1_000, 1_000, () -> 0.5);
        assertEquals(900, half.next());
        assertEquals(900, half.next(), "at the ceiling too");
    }

    @Test
    void aRandomSourceOutOfRangeIsClampedSoAWaitIsNeverZeroNorLongerThanItsStep() {
        assertEquals(100, new Backoff(100, 200, () -> -3.0).next());
        assertEquals(80, new Backoff(100, 200, () -> 7.0).next());
        assertEquals(1, new Backoff(1, 1, () -> 0.9).next());
    }

    @Test
    void resetStartsFromTheFirstStepAgain() {
        Backoff backoff = new Backoff(100, 5_000, () -> 0.0);
        backoff.next();
        backoff.next();
        backoff.next();
        backoff.reset();
        assertEquals(100, backoff.next());
        assertEquals(200, backoff.next());
    }

    @Test
    void theStandardBackoffWaitsBetweenFourFifthsOfEachStepAndTheStep() {
        Backoff backoff = Backoff.standard();
        long step = 100;
        for (int i = 0; i < 12; i++) {
            long wait = backoff.next();
            assertTrue(wait >= step * 4 / 5 && wait <= step, "step " + step + " waited " + wait);
            step = Math.min(5_000, step * 2);
        }
    }

    @Test
    void aFirstStepBelowOneOrACeilingBelowItIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new Backoff(0, 100, () -> 0.0));
        assertThrows(IllegalArgumentException.class, () -> new Backoff(200, 100, () -> 0.0));
    }
}
