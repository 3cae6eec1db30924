package io.agentpeers.broker.server;

import io.agentpeers.protocol.wire.LineFramer;
import java.time.Duration;
import java.util.Objects;

/**
 * Limits of a {@link ConnectionServer}.
 *
 * @param maxLineBytes     longest incoming line, in bytes without the terminator (1 MiB)
 * @param maxOutboundBytes bytes queued for one connection before it counts as a slow reader and is
 *                         closed (4 MiB); also the longest line one {@code send} accepts
 * @param maxPendingLines  lines read from one connection but not yet handled before the server stops
 *                         reading from it until the handler catches up (256)
 * @param workerThreads    threads that run the handler, shared by all connections (4)
 * @param selectorLoops    selector threads per listener, the connections spread over them (1). A
 *                         poll-based selector (junixsocket's) scans every connection it holds on each
 *                         wake-up, so with a thousand idle peers several smaller loops answer faster
 * @param closeLinger      after a connection's last reply is flushed, how long to wait for the caller to
 *                         close its end before closing ours (so the caller reads the reply, not a reset)
 * @param shutdownGrace    how long {@link ConnectionServer#close()} lets in-flight replies drain
 */
public record ConnectionServerOptions(
        int maxLineBytes,
        int maxOutboundBytes,
        int maxPendingLines,
        int workerThreads,
        int selectorLoops,
        Duration closeLinger,
        Duration shutdownGrace) {

    public ConnectionServerOptions {
        positive("maxLineBytes", maxLineBytes);
        positive("maxOutboundBytes", maxOutboundBytes);
        positive("maxPendingLines", maxPendingLines);
        positive("workerThreads", workerThreads);
        positive("selectorLoops", selectorLoops);
        Objects.requireNonNull(closeLinger, "closeLinger");
        Objects.requireNonNull(shutdownGrace, "shutdownGrace");
        if (closeLinger.isNegative() || shutdownGrace.isNegative()) {
            throw new IllegalArgumentException("durations must not be negative");
        }
    }

    public static ConnectionServerOptions defaults() {
        return new ConnectionServerOptions(
                LineFramer.DEFAULT_MAX_LINE_BYTES,
                4 * 1024 * 1024,
                256,
                4,
                1,
                Duration.ofSeconds(2),
                Duration.ofSeconds(5));
    }

    public ConnectionServerOptions withMaxLineBytes(int value) {
        return new ConnectionServerOptions(
                value, maxOutboundBytes, maxPendingLines, workerThreads, selectorLoops, closeLinger, shutdownGrace);
    }

    public ConnectionServerOptions withMaxOutboundBytes(int value) {
        return new ConnectionServerOptions(
                maxLineBytes, value, maxPendingLines, workerThreads, selectorLoops, closeLinger, shutdownGrace);
    }

    public ConnectionServerOptions withMaxPendingLines(int value) {
        return new ConnectionServerOptions(
                maxLineBytes, maxOutboundBytes, value, workerThreads, selectorLoops, closeLinger, shutdownGrace);
    }

    public ConnectionServerOptions withWorkerThreads(int value) {
        return new ConnectionServerOptions(
                maxLineBytes, maxOutboundBytes, maxPendingLines, value, selectorLoops, closeLinger, shutdownGrace);
    }

    public ConnectionServerOptions withSelectorLoops(int value) {
        return new ConnectionServerOptions(
                maxLineBytes, maxOutboundBytes, maxPendingLines, workerThreads, value, closeLinger, shutdownGrace);
    }

    public ConnectionServerOptions withCloseLinger(Duration value) {
        return new ConnectionServerOptions(
                maxLineBytes, maxOutboundBytes, maxPendingLines, workerThreads, selectorLoops, value, shutdownGrace);
    }

    public ConnectionServerOptions withShutdownGrace(Duration value) {
        return new ConnectionServerOptions(
                maxLineBytes, maxOutboundBytes, maxPendingLines, workerThreads, selectorLoops, closeLinger, value);
    }

    private static void positive(String name, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(name + " must be positive, got " + value);
        }
    }
}
