package io.agentpeers.protocol.transport;

/**
 * The client side of a transport: opens a blocking byte stream to a broker.
 *
 * <p>The constructor does no I/O; each {@link #connect()} opens a new connection. Thread-safe.
 */
public interface TransportConnector {

    /** The transport's name: {@code "unix"}, {@code "tcp"}. */
    String transport();

    /** Where it connects (a socket path or host:port), for messages and logs. */
    String address();

    /**
     * Opens a connection.
     *
     * @throws TransportException when nothing answers, with a message that says where it looked
     */
    ClientConnection connect();
}
