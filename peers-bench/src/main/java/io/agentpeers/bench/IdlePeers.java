package io.agentpeers.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Many registered, subscribed peers that do nothing but read: each is one connection (hello, register,
 * subscribe), and one selector thread drains whatever the broker sends them. A thousand of them cost
 * this process one thread, not two thousand.
 */
final class IdlePeers implements AutoCloseable {
    private final Endpoint endpoint;
    private final String cwd;
    private final List<SocketChannel> channels = new ArrayList<>();
    private final ConcurrentLinkedQueue<SocketChannel> toRegister = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicLong bytesRead = new AtomicLong();
    private final AtomicLong closedByBroker = new AtomicLong();
    private final Selector selector;
    private final Thread drainer;

    IdlePeers(Endpoint endpoint, String cwd) {
        this.endpoint = endpoint;
        this.cwd = cwd;
        try {
            this.selector = Selector.open();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.drainer = new Thread(this::drain, "bench-idle-drain");
        this.drainer.setDaemon(true);
        this.drainer.start();
    }

    int size() {
        return channels.size();
    }

    /** Connects and registers peers until there are {@code count}. */
    void growTo(int count) {
        while (channels.size() < count) {
            RawConnection connection = RawConnection.open(endpoint, Duration.ofSeconds(30));
            try {
                connection.register(cwd, null);
                connection.requireOk("subscribe", null);
            } catch (RuntimeException e) {
                connection.close();
                throw e;
            }
            SocketChannel channel = connection.detach();
            channels.add(channel);
            toRegister.add(channel);
            selector.wakeup();
        }
    }

    /** Bytes the broker sent these peers after they subscribed, and connections it closed. */
    long bytesRead() {
        return bytesRead.get();
    }

    long closedByBroker() {
        return closedByBroker.get();
    }

    private void drain() {
        ByteBuffer buffer = ByteBuffer.allocateDirect(64 * 1024);
        while (!closed.get()) {
            try {
                selector.select(500);
                SocketChannel fresh;
                while ((fresh = toRegister.poll()) != null) {
                    fresh.register(selector, SelectionKey.OP_READ);
                }
                for (SelectionKey key : selector.selectedKeys()) {
                    SocketChannel channel = (SocketChannel) key.channel();
                    buffer.clear();
                    int read = channel.read(buffer);
                    if (read < 0) {
                        key.cancel();
                        closedByBroker.incrementAndGet();
                    } else {
                        bytesRead.addAndGet(read);
                    }
                }
                selector.selectedKeys().clear();
            } catch (IOException | RuntimeException e) {
                if (!closed.get()) {
                    closedByBroker.incrementAndGet();
                }
            }
        }
    }

    /** Closes every connection: the broker marks those peers gone. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        selector.wakeup();
        try {
            drainer.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (SocketChannel channel : channels) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
        try {
            selector.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}
