package io.agentpeers.protocol.transport;

import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/**
 * The server side of a transport: binds an address and tells who each accepted connection is.
 *
 * <p>Lifecycle: the constructor does no I/O; {@link #bind()} is called once and returns a
 * <em>non-blocking</em> server channel whose {@code provider()} opens the selector that serves it (so
 * junixsocket's channels get junixsocket's selector). {@link #close()} closes that channel and removes
 * whatever the bind left behind (a socket file); it is idempotent. A {@code ConnectionServer} that
 * starts a listener owns it and closes it when it stops.
 *
 * <p>Threading: {@link #identify} runs on the selector thread for every accepted connection, so it
 * must be quick (one system call, no blocking I/O).
 */
public interface TransportListener extends AutoCloseable {

    /** The transport's name as {@link ConnectionIdentity#transport()} reports it. */
    String transport();

    /**
     * Binds and returns the non-blocking server channel.
     *
     * @throws TransportException when the address cannot be bound, with a message a person can act on
     */
    ServerSocketChannel bind();

    /**
     * Identifies an accepted connection (already non-blocking).
     *
     * @throws ConnectionRefusedException to refuse it; the message is sent to the caller
     */
    ConnectionIdentity identify(SocketChannel channel);

    /** Where this listener is bound (a socket path or host:port), for logs and for connectors in tests. */
    String address();

    @Override
    void close();
}
