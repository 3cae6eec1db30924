package io.agentpeers.transport.invm;

import io.agentpeers.protocol.transport.ClientConnection;
import io.agentpeers.protocol.transport.ConnectionIdentity;
import io.agentpeers.protocol.transport.TransportChannel;
import io.agentpeers.protocol.transport.TransportException;
import io.agentpeers.protocol.transport.TransportListener;
import java.io.IOException;
import java.nio.channels.Channel;
import java.nio.channels.Channels;
import java.nio.channels.Pipe;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Listens under a name in this JVM. Each connection is two {@link Pipe}s (client to broker, broker to
 * client): the broker's ends go to its selector loops like any socket, the client gets blocking
 * streams. No socket file is made and no native library is loaded.
 *
 * <p>Identity: the caller is this very process, so it needs no token, but it is unverified
 * ({@link ConnectionIdentity#sameProcess}): the broker has no other process to watch or to signal for
 * it, so its peers go when their connection closes, and {@code kill} and {@code shutdown} are refused
 * (the program holds the broker and closes it itself).
 *
 * <p>Lifecycle: {@link #start} takes the name (one listener per name and JVM; a restarted broker takes it
 * again, so connectors find it); {@link #close()} gives it back and refuses later connections.
 */
public final class InVmListener implements TransportListener {
    public static final String TRANSPORT = "in-vm";
    private static final AtomicInteger UNNAMED = new AtomicInteger();
    private static final ConnectionIdentity IDENTITY = ConnectionIdentity.sameProcess(TRANSPORT);

    private final String name;
    private volatile Acceptor acceptor;
    private volatile boolean closed;

    /** A listener under {@code name}, which {@link InVmConnector}s of this JVM connect to. */
    public InVmListener(String name) {
        this.name = Objects.requireNonNull(name, "name");
        if (name.isBlank()) {
            throw new IllegalArgumentException("an in-VM listener needs a name");
        }
    }

    /** A listener under a name of its own ({@code "in-vm-1"}, ...). */
    public InVmListener() {
        this("in-vm-" + UNNAMED.incrementAndGet());
    }

    /** The name it listens under; {@link InVmConnector}s find it by that name. */
    public String name() {
        return name;
    }

    /** A connector to this listener's name (it finds a broker restarted under the same name too). */
    public InVmConnector connector() {
        return new InVmConnector(name);
    }

    @Override
    public String transport() {
        return TRANSPORT;
    }

    @Override
    public String address() {
        return name;
    }

    @Override
    public synchronized void start(Acceptor acceptor) {
        Objects.requireNonNull(acceptor, "acceptor");
        if (closed || this.acceptor != null) {
            throw new IllegalStateException("a listener starts once");
        }
        InVmRegistry.bind(name, this);
        this.acceptor = acceptor;
    }

    /** Opens a connection: the broker's ends go to the acceptor on this (the connecting) thread. */
    ClientConnection connect() {
        Acceptor target = acceptor;
        if (closed || target == null) {
            throw new TransportException("no in-VM broker listens as \"" + name + "\" (it stopped)");
        }
        Pipe toBroker;
        Pipe toClient;
        try {
            toBroker = Pipe.open();
        } catch (IOException e) {
            throw new TransportException("cannot open an in-VM connection to \"" + name + "\": " + e.getMessage(), e);
        }
        try {
            toClient = Pipe.open();
        } catch (IOException e) {
            closeQuietly(toBroker.source(), toBroker.sink());
            throw new TransportException("cannot open an in-VM connection to \"" + name + "\": " + e.getMessage(), e);
        }
        target.accept(TransportChannel.ofPair(toBroker.source(), toClient.sink(), () -> IDENTITY, "in-vm:" + name));
        Pipe.SourceChannel clientInput = toClient.source();
        Pipe.SinkChannel clientOutput = toBroker.sink();
        // Closing the client's input unblocks a thread reading it; closing its output is the broker's end of stream.
        return new ClientConnection(
                Channels.newInputStream(clientInput),
                Channels.newOutputStream(clientOutput),
                () -> closeQuietly(clientOutput, clientInput),
                "in-vm:" + name);
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        InVmRegistry.unbind(name, this);
    }

    private static void closeQuietly(Channel... channels) {
        for (Channel channel : channels) {
            try {
                channel.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
    }

    @Override
    public String toString() {
        return "in-vm:" + name;
    }
}
