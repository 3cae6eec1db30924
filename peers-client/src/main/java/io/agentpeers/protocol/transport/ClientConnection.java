package io.agentpeers.protocol.transport;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One open client connection: a blocking input stream and output stream that one thread may read
 * while another writes. {@link #close()} closes both and unblocks a reader; it is idempotent.
 */
public final class ClientConnection implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ClientConnection.class);

    private final InputStream input;
    private final OutputStream output;
    private final Closeable closer;
    private final String description;
    private final AtomicBoolean closed = new AtomicBoolean();

    /**
     * @param closer      closes the underlying socket (and so both streams)
     * @param description for messages, e.g. {@code "unix:/home/me/.peers/peers.sock"}
     */
    public ClientConnection(InputStream input, OutputStream output, Closeable closer, String description) {
        this.input = Objects.requireNonNull(input, "input");
        this.output = Objects.requireNonNull(output, "output");
        this.closer = Objects.requireNonNull(closer, "closer");
        this.description = Objects.requireNonNull(description, "description");
    }

    /** The bytes from the broker, blocking; {@link #close()} unblocks a thread that reads them. */
    public InputStream input() {
        return input;
    }

    /** The bytes to the broker, blocking. */
    public OutputStream output() {
        return output;
    }

    /**
     * Whether {@link #close()} has not run yet. It says nothing of the other end: a connection the broker
     * dropped stays open here until it is closed.
     */
    public boolean isOpen() {
        return !closed.get();
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            try {
                closer.close();
            } catch (IOException e) {
                LOG.debug("closing {} failed", description, e);
            }
        }
    }

    @Override
    public String toString() {
        return description;
    }
}
