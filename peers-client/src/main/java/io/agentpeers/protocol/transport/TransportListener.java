package io.agentpeers.protocol.transport;

import java.nio.channels.spi.SelectorProvider;

/**
 * The server side of a transport: binds an address and hands every accepted connection to the server
 * as a {@link TransportChannel}.
 *
 * <p>Lifecycle: the constructor does no I/O; {@link #start} is called once: it binds, then hands each
 * connection to the {@link Acceptor} until {@link #close()}. A socket listener accepts on a thread of
 * its own; the in-VM listener hands connections over on the connecting thread. {@link #close()} stops
 * accepting (a blocked accept returns), removes whatever the bind left behind (a socket file) and is
 * idempotent; connections already handed over are the server's. A {@code ConnectionServer} that starts
 * a listener owns it and closes it when it stops.
 */
public interface TransportListener extends AutoCloseable {

    /** The transport's name as {@link ConnectionIdentity#transport()} reports it. */
    String transport();

    /** Where this listener is bound (a socket path, host:port or an in-VM name), for logs and connectors in tests. */
    String address();

    /**
     * Whose selectors serve this listener's channels: the channels' own provider (junixsocket's channels
     * only work with junixsocket's selector). The default provider unless a transport says otherwise.
     */
    default SelectorProvider selectorProvider() {
        return SelectorProvider.provider();
    }

    /**
     * Binds and starts accepting; returns once bound.
     *
     * @param acceptor takes every accepted connection; called on the listener's accepting thread
     * @throws TransportException when the address cannot be bound, with a message a person can act on
     * @throws IllegalStateException when called twice or after {@link #close()}
     */
    void start(Acceptor acceptor);

    @Override
    void close();

    /**
     * Where accepted connections go. {@link #accept} must be quick and must not throw (the server queues
     * the connection for one of its selector threads); it owns the channel from then on.
     */
    @FunctionalInterface
    interface Acceptor {
        void accept(TransportChannel channel);

        /**
         * The listener can no longer accept: its accepting thread died of {@code cause} while the
         * listener was open. The server should stop rather than go on without new connections.
         */
        default void acceptingFailed(Throwable cause) {}
    }
}
