package io.agentpeers.broker.server;

import io.agentpeers.protocol.wire.FramingError;

/**
 * What the server hands each connection's lines to (the JSON-RPC dispatcher implements it).
 *
 * <p>Threading: every call but {@link #answeredOnLoop} runs on the server's small worker pool,
 * <em>serially per connection</em> and in stream order: {@link #onOpen} first, then each line or framing error, then {@link #onClose}
 * exactly once. Different connections run concurrently. A call must not block for long (a few
 * workers serve every connection): a long poll registers a waiter and replies later with
 * {@link ServerConnection#send} from any thread. An exception thrown here is logged and the
 * connection goes on.
 */
public interface ConnectionHandler {

    /** A connection was accepted and identified. */
    default void onOpen(ServerConnection connection) {}

    /** One complete line (UTF-8 decoded, no terminator, never empty). */
    void onLine(ServerConnection connection, String line);

    /**
     * Answers {@code line} at once on the selector loop's thread, or returns false to have it handed
     * to {@link #onLine} on a worker as usual. Called only when nothing else of this connection waits
     * for a worker, so stream order holds. Only for what is answered from memory without blocking (no
     * store, no waiting, no lock held for long): every other connection of the loop waits meanwhile. It
     * saves the wake-up of a worker, most of a small request's time on a busy machine.
     */
    default boolean answeredOnLoop(ServerConnection connection, String line) {
        return false;
    }

    /**
     * A line could not be framed. Reply with an error line; for
     * {@link FramingError#LINE_TOO_LONG} the server then flushes the reply and closes the connection,
     * for {@link FramingError#INVALID_UTF8} the connection goes on.
     */
    void onFramingError(ServerConnection connection, FramingError error);

    /** The connection is closed (by either side, a slow reader, or the server stopping). Called once. */
    default void onClose(ServerConnection connection) {}
}
