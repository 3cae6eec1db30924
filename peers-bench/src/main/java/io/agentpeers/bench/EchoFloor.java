package io.agentpeers.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The floor of the per-request figures: a server that writes back each line it reads, over a Unix
 * socket of the JDK's own channel, one blocking thread per connection. A request timed against it is a
 * socket round trip plus the client's own cost, with no broker in between.
 */
final class EchoFloor implements AutoCloseable {
    private final Path socket;
    private final ServerSocketChannel server;
    private final Thread acceptor;
    private final List<SocketChannel> accepted = new ArrayList<>();

    private EchoFloor(Path socket, ServerSocketChannel server) {
        this.socket = socket;
        this.server = server;
        this.acceptor = new Thread(this::accept, "bench-echo-accept");
        this.acceptor.setDaemon(true);
        this.acceptor.start();
    }

    static EchoFloor start(Path socket) {
        try {
            ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            server.bind(UnixDomainSocketAddress.of(socket));
            return new EchoFloor(socket, server);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on " + socket, e);
        }
    }

    Endpoint endpoint() {
        return Endpoint.unix(socket);
    }

    private void accept() {
        while (server.isOpen()) {
            try {
                SocketChannel channel = server.accept();
                synchronized (accepted) {
                    accepted.add(channel);
                }
                Thread echo = new Thread(() -> echo(channel), "bench-echo");
                echo.setDaemon(true);
                echo.start();
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    /** Writes back what arrives as it arrives: the client sends one line and waits, so a read is a line. */
    private static void echo(SocketChannel channel) {
        ByteBuffer buffer = ByteBuffer.allocateDirect(64 * 1024);
        try (channel) {
            while (channel.read(buffer) >= 0) {
                buffer.flip();
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                buffer.clear();
            }
        } catch (IOException e) {
            // the client went
        }
    }

    @Override
    public void close() {
        try {
            server.close();
            synchronized (accepted) {
                for (SocketChannel channel : accepted) {
                    channel.close();
                }
            }
            Files.deleteIfExists(socket);
        } catch (IOException ignored) {
            // best effort in a temporary folder
        }
    }
}
