package io.agentpeers.broker.server;

import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

/**
 * The lines of one connection that wait because its caller has not read enough of its replies: while
 * the output is backlogged, each line (and every later one, in order) waits here instead of reaching
 * the handler, so that a caller that does not read cannot make the broker build reply after reply.
 * When the output drains, the selector loop asks for them to be handed on.
 *
 * <p>The queue is touched only by the connection's serial tasks; the request to hand lines on crosses
 * from the selector loop through one flag, re-checked on both sides so that no drain goes unseen.
 */
final class ParkedLines {
    /** Where a line goes once it may: the connection's handler, or a release when it is dropped. */
    @FunctionalInterface
    interface LineSink {
        void accept(String line, int cost);
    }

    private record Parked(String line, int cost) {}

    private final ArrayDeque<Parked> waiting = new ArrayDeque<>();
    private final AtomicBoolean handOnWanted = new AtomicBoolean();
    private final BooleanSupplier backlogged;

    /** @param backlogged whether the connection's output is over its pause threshold now */
    ParkedLines(BooleanSupplier backlogged) {
        this.backlogged = backlogged;
    }

    /** Serial: hands {@code line} to {@code handler} now, or parks it behind the lines already waiting. */
    void deliver(String line, int cost, LineSink handler) {
        if (waiting.isEmpty() && !backlogged.getAsBoolean()) {
            handler.accept(line, cost);
            return;
        }
        waiting.add(new Parked(line, cost));
        handOnWanted.set(true);
        // The output may have drained in between, with nobody left to see the flag.
        if (!backlogged.getAsBoolean() && handOnWanted.compareAndSet(true, false)) {
            handOn(handler);
        }
    }

    /** Serial: hands the waiting lines on in order while the output is not backlogged. */
    void handOn(LineSink handler) {
        while (!waiting.isEmpty()) {
            if (backlogged.getAsBoolean()) {
                handOnWanted.set(true);
                if (backlogged.getAsBoolean() || !handOnWanted.compareAndSet(true, false)) {
                    return;
                }
            }
            Parked next = waiting.poll();
            handler.accept(next.line(), next.cost());
        }
    }

    /** Selector loop, once the output drained: whether lines wait to be handed on (asked once). */
    boolean takeHandOnRequest() {
        return handOnWanted.compareAndSet(true, false);
    }

    /** Serial, when the connection closes: every waiting line goes to {@code release} instead. */
    void drop(LineSink release) {
        Parked dropped;
        while ((dropped = waiting.poll()) != null) {
            release.accept(dropped.line(), dropped.cost());
        }
    }
}
