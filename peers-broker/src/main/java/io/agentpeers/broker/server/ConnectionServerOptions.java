package io.agentpeers.broker.server;

import io.agentpeers.protocol.wire.LineFramer;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Limits of a {@link ConnectionServer}; immutable, each {@code with…} returns a changed copy.
 *
 * <ul>
 *   <li>{@code maxLineBytes}: longest incoming line of an authenticated connection, in bytes without the
 *       terminator (1 MiB).
 *   <li>{@code maxLineBytesBeforeHello}: longest line before the handler calls
 *       {@link ServerConnection#authenticated()} (8 KiB): a caller that has not proven who it is holds
 *       only a few KiB of the broker's memory.
 *   <li>{@code helloTimeout}: how long a connection may stay unauthenticated before it is closed (5 s).
 *   <li>{@code inboundBudgetBytes}: the memory budget for inbound data of all connections together (partial
 *       lines and lines not yet handled). Over it, the connection holding the most is shed with an error
 *       line. Default: a quarter of the JVM's maximum heap, between 8 and 64 MiB.
 *   <li>{@code outboundBudgetBytes}: the same for output queued for all connections together (replies
 *       and notifications that slow readers have not taken). Over it, the connection with the most
 *       queued is closed as a slow reader. Same default.
 *   <li>{@code maxOutboundBytes}: bytes queued for one connection before it counts as a slow reader and is
 *       closed (4 MiB); also the longest line one {@code send} accepts.
 *   <li>{@code readPauseOutboundBytes}: while more than this is queued for a connection, its requests are
 *       not read (256 KiB): a caller that does not read its replies cannot keep the workers busy.
 *   <li>{@code maxPendingLines}: lines read from one connection but not yet handled before the server stops
 *       reading from it until the handler catches up (256).
 *   <li>{@code workerThreads}: threads that run the handler, shared by all connections (4).
 *   <li>{@code selectorLoops}: selector threads per listener, the connections spread over them (1). A
 *       poll-based selector (junixsocket's) scans every connection it holds on each wake-up, so with a
 *       thousand idle peers several smaller loops answer faster.
 *   <li>{@code coldAfter}: a connection that has read nothing for this long moves off its loop's selector to
 *       the listener's cold selector, which wakes only when a cold caller speaks (it then moves back); writes to
 *       it still go out directly (1 s; zero keeps every connection on its loop). A poll-based selector then
 *       scans only the connections in use.
 *   <li>{@code closeLinger}: after a connection's last reply is flushed, how long to wait for the caller to
 *       close its end before closing ours, so that the caller reads the reply, not a reset (2 s).
 *   <li>{@code shutdownGrace}: how long {@link ConnectionServer#close()} lets in-flight replies drain (5 s).
 * </ul>
 */
public final class ConnectionServerOptions {
    private static final long MiB = 1024 * 1024;

    private int maxLineBytes = LineFramer.DEFAULT_MAX_LINE_BYTES;
    private int maxLineBytesBeforeHello = 8 * 1024;
    private Duration helloTimeout = Duration.ofSeconds(5);
    private long inboundBudgetBytes = defaultBudget(Runtime.getRuntime().maxMemory());
    private long outboundBudgetBytes = defaultBudget(Runtime.getRuntime().maxMemory());
    private int maxOutboundBytes = 4 * 1024 * 1024;
    private int readPauseOutboundBytes = 256 * 1024;
    private int maxPendingLines = 256;
    private int workerThreads = 4;
    private int selectorLoops = 1;
    private Duration coldAfter = Duration.ofSeconds(1);
    private Duration closeLinger = Duration.ofSeconds(2);
    private Duration shutdownGrace = Duration.ofSeconds(5);

    private ConnectionServerOptions() {}

    /** A copy with {@code change} applied: the options themselves never change. */
    private ConnectionServerOptions with(Consumer<ConnectionServerOptions> change) {
        ConnectionServerOptions copy = new ConnectionServerOptions();
        copy.maxLineBytes = maxLineBytes;
        copy.maxLineBytesBeforeHello = maxLineBytesBeforeHello;
        copy.helloTimeout = helloTimeout;
        copy.inboundBudgetBytes = inboundBudgetBytes;
        copy.outboundBudgetBytes = outboundBudgetBytes;
        copy.maxOutboundBytes = maxOutboundBytes;
        copy.readPauseOutboundBytes = readPauseOutboundBytes;
        copy.maxPendingLines = maxPendingLines;
        copy.workerThreads = workerThreads;
        copy.selectorLoops = selectorLoops;
        copy.coldAfter = coldAfter;
        copy.closeLinger = closeLinger;
        copy.shutdownGrace = shutdownGrace;
        change.accept(copy);
        return copy;
    }

    public static ConnectionServerOptions defaults() {
        return new ConnectionServerOptions();
    }

    /** A quarter of {@code maxHeapBytes}, at least 8 MiB and at most 64 MiB. */
    static long defaultBudget(long maxHeapBytes) {
        return Math.max(8 * MiB, Math.min(64 * MiB, maxHeapBytes / 4));
    }

    public int maxLineBytes() {
        return maxLineBytes;
    }

    public int maxLineBytesBeforeHello() {
        return maxLineBytesBeforeHello;
    }

    public Duration helloTimeout() {
        return helloTimeout;
    }

    public long inboundBudgetBytes() {
        return inboundBudgetBytes;
    }

    public long outboundBudgetBytes() {
        return outboundBudgetBytes;
    }

    public int maxOutboundBytes() {
        return maxOutboundBytes;
    }

    public int readPauseOutboundBytes() {
        return readPauseOutboundBytes;
    }

    public int maxPendingLines() {
        return maxPendingLines;
    }

    public int workerThreads() {
        return workerThreads;
    }

    public int selectorLoops() {
        return selectorLoops;
    }

    /** How long a connection reads nothing before it moves to the cold selector; zero: never. */
    public Duration coldAfter() {
        return coldAfter;
    }

    public Duration closeLinger() {
        return closeLinger;
    }

    public Duration shutdownGrace() {
        return shutdownGrace;
    }

    public ConnectionServerOptions withMaxLineBytes(int value) {
        return with(copy -> copy.maxLineBytes = positive("maxLineBytes", value));
    }

    public ConnectionServerOptions withMaxLineBytesBeforeHello(int value) {
        return with(copy -> copy.maxLineBytesBeforeHello = positive("maxLineBytesBeforeHello", value));
    }

    public ConnectionServerOptions withHelloTimeout(Duration value) {
        return with(copy -> copy.helloTimeout = positive("helloTimeout", value));
    }

    public ConnectionServerOptions withInboundBudgetBytes(long value) {
        return with(copy -> copy.inboundBudgetBytes = positive("inboundBudgetBytes", value));
    }

    public ConnectionServerOptions withOutboundBudgetBytes(long value) {
        return with(copy -> copy.outboundBudgetBytes = positive("outboundBudgetBytes", value));
    }

    public ConnectionServerOptions withMaxOutboundBytes(int value) {
        return with(copy -> copy.maxOutboundBytes = positive("maxOutboundBytes", value));
    }

    public ConnectionServerOptions withReadPauseOutboundBytes(int value) {
        return with(copy -> copy.readPauseOutboundBytes = positive("readPauseOutboundBytes", value));
    }

    public ConnectionServerOptions withMaxPendingLines(int value) {
        return with(copy -> copy.maxPendingLines = positive("maxPendingLines", value));
    }

    public ConnectionServerOptions withWorkerThreads(int value) {
        return with(copy -> copy.workerThreads = positive("workerThreads", value));
    }

    public ConnectionServerOptions withSelectorLoops(int value) {
        return with(copy -> copy.selectorLoops = positive("selectorLoops", value));
    }

    public ConnectionServerOptions withColdAfter(Duration value) {
        return with(copy -> copy.coldAfter = notNegative("coldAfter", value));
    }

    public ConnectionServerOptions withCloseLinger(Duration value) {
        return with(copy -> copy.closeLinger = notNegative("closeLinger", value));
    }

    public ConnectionServerOptions withShutdownGrace(Duration value) {
        return with(copy -> copy.shutdownGrace = notNegative("shutdownGrace", value));
    }

    private static int positive(String name, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(name + " must be positive, got " + value);
        }
        return value;
    }

    private static long positive(String name, long value) {
        if (value < 1) {
            throw new IllegalArgumentException(name + " must be positive, got " + value);
        }
        return value;
    }

    private static Duration positive(String name, Duration value) {
        Objects.requireNonNull(value, name);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, got " + value);
        }
        return value;
    }

    private static Duration notNegative(String name, Duration value) {
        Objects.requireNonNull(value, name);
        if (value.isNegative()) {
            throw new IllegalArgumentException(name + " must not be negative, got " + value);
        }
        return value;
    }

    @Override
    public String toString() {
        return "ConnectionServerOptions[maxLineBytes=" + maxLineBytes + ", maxLineBytesBeforeHello="
                + maxLineBytesBeforeHello + ", helloTimeout=" + helloTimeout + ", inboundBudgetBytes="
                + inboundBudgetBytes
                + ", outboundBudgetBytes=" + outboundBudgetBytes + ", maxOutboundBytes=" + maxOutboundBytes
                + ", readPauseOutboundBytes=" + readPauseOutboundBytes
                + ", maxPendingLines=" + maxPendingLines + ", workerThreads=" + workerThreads + ", selectorLoops="
                + selectorLoops + ", coldAfter=" + coldAfter + ", closeLinger=" + closeLinger + ", shutdownGrace="
                + shutdownGrace + "]";
    }
}
