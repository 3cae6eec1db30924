package io.agentpeers.broker.server;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * Failed selector waits of one thread, to tell a signal from a broken selector. junixsocket's selector does
 * not retry a poll a signal interrupted (EINTR: a profiler's SIGPROF, a signal meant for another thread) and
 * throws instead. A wait that had waited a while before it failed was a real wait, cut short: an empty one.
 * Failures that come at once, in a row, are retried after a short pause (no busy loop) and end the thread
 * only when they go on: a profiler's CPU-time signal can hit every attempt of a poll over a thousand
 * descriptors (the cold selector's) for a while, which must not stop the broker.
 */
final class FailedWaits {
    private static final long A_REAL_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final int BEFORE_PAUSING = 10;
    private static final long PAUSE_MILLIS = 1;
    private static final int BEFORE_GIVING_UP = 1_000;

    private int inRow;

    /** A wait returned. */
    void succeeded() {
        inRow = 0;
    }

    /**
     * The wait started at {@code startNanos} failed with {@code failure}: returns to wait again (perhaps
     * after a pause), or rethrows when waits keep failing at once.
     */
    void failed(long startNanos, IOException failure) throws IOException {
        if (System.nanoTime() - startNanos >= A_REAL_WAIT_NANOS) {
            inRow = 0;
            return;
        }
        if (++inRow >= BEFORE_GIVING_UP) {
            throw failure;
        }
        if (inRow >= BEFORE_PAUSING) {
            try {
                Thread.sleep(PAUSE_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw failure;
            }
        }
    }
}
