package io.agentpeers.mcp;

/**
 * A counter of pushed messages that {@code wait_for_messages} can sleep on when messages come by push
 * (then the broker's {@code wait}, which only sees unacknowledged messages, would miss them).
 */
final class Arrivals {
    private long count;

    synchronized long count() {
        return count;
    }

    synchronized void signal() {
        count++;
        notifyAll();
    }

    /** Waits until more than {@code seen} arrived, or the time passed; returns whether something arrived. */
    synchronized boolean awaitAfter(long seen, long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        while (count <= seen) {
            long left = (deadline - System.nanoTime()) / 1_000_000L;
            if (left <= 0) {
                return false;
            }
            wait(left);
        }
        return true;
    }
}
