package io.agentpeers.broker.server;

import io.agentpeers.protocol.wire.FramingError;

/**
 * What the server hands each connection's lines to (the JSON-RPC dispatcher implements it).
 *
 * <p>Threading: every call runs on the server's small worker pool, <em>serially per connection</em>
 * and in stream order: {@link #onOpen} first, then each line or framing error, then {@link #onClose}
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
     * A line could not be framed. Reply with an error line; for
     * {@link FramingError#LINE_TOO_LONG} the server then flushes the reply and closes the connection,
     * for {@link FramingError#INVALID_UTF8} the connection goes on.
     */
    void onFramingError(ServerConnection connection, FramingError error);

    /** The connection is closed (by either side, a slow reader, or the server stopping). Called once. */
    default void onClose(ServerConnection connection) {}
}
