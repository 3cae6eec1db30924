package io.agentpeers.broker.server;

import io.agentpeers.protocol.transport.AcceptThread;
import io.agentpeers.protocol.transport.ConnectionIdentity;
import io.agentpeers.protocol.transport.ConnectionRefusedException;
import io.agentpeers.protocol.transport.TransportChannel;
import io.agentpeers.protocol.transport.TransportException;
import io.agentpeers.protocol.transport.TransportListener;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.util.concurrent.atomic.AtomicInteger;

/** A JDK loopback TCP listener for the server's own tests; refuses every n-th connection when asked. */
public final class LoopbackListener implements TransportListener {
    private final int refuseEvery;
    private final AtomicInteger accepted = new AtomicInteger();
    private ServerSocketChannel channel;
    volatile boolean closed;

    public LoopbackListener(int refuseEvery) {
        this.refuseEvery = refuseEvery;
    }

    @Override
    public String transport() {
        return "test";
    }

    @Override
    public void start(Acceptor acceptor) {
        try {
            channel = ServerSocketChannel.open();
            channel.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        } catch (IOException e) {
            throw new TransportException("bind failed", e);
        }
        AcceptThread.start(
                "test", channel, socket -> TransportChannel.ofSocket(socket, this::identify, "test"), acceptor);
    }

    private ConnectionIdentity identify() {
        int n = this.accepted.incrementAndGet();
        if (refuseEvery > 0 && n % refuseEvery == 0) {
            throw new ConnectionRefusedException("connection " + n + " is refused by the test");
        }
        return ConnectionIdentity.unverified("test", "connection " + n);
    }

    @Override
    public String address() {
        return channel == null ? "unbound" : String.valueOf(port());
    }

    public int port() {
        try {
            return ((InetSocketAddress) channel.getLocalAddress()).getPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            if (channel != null) {
                channel.close();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
