package io.agentpeers.testkit;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Waits in tests for something another thread or process makes true, polling with a short backoff
 * (1 ms doubling to 50 ms), and fails with what was awaited when the time is up. One helper instead of
 * hand-written sleep loops: a test waits only as long as the condition needs, and never forever.
 */
public final class Await {
    private static final long FIRST_PAUSE_NANOS = Duration.ofMillis(1).toNanos();
    private static final long LONGEST_PAUSE_NANOS = Duration.ofMillis(50).toNanos();

    private Await() {}

    /**
     * Returns once {@code condition} holds.
     *
     * @param description what is awaited, for the failure ("the broker marks bob gone")
     * @throws AssertionError when it does not hold within {@code timeout}
     */
    public static void until(Duration timeout, BooleanSupplier condition, String description) {
        Objects.requireNonNull(condition, "condition");
        value(timeout, () -> condition.getAsBoolean() ? Boolean.TRUE : null, description);
    }

    /**
     * Returns the first non-null value {@code supplier} gives.
     *
     * @throws AssertionError when it gives only null within {@code timeout}
     */
    public static <T> T value(Duration timeout, Supplier<T> supplier, String description) {
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(supplier, "supplier");
        long deadline = System.nanoTime() + timeout.toNanos();
        long pause = FIRST_PAUSE_NANOS;
        while (true) {
            T value = supplier.get();
            if (value != null) {
                return value;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("timed out after " + timeout.toMillis() + " ms waiting until " + description);
            }
            try {
                TimeUnit.NANOSECONDS.sleep(Math.min(pause, left));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting until " + description, e);
            }
            pause = Math.min(pause * 2, LONGEST_PAUSE_NANOS);
        }
    }
}
