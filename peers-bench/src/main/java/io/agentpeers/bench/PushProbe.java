package io.agentpeers.bench;

import io.agentpeers.core.ClientType;
import io.agentpeers.core.RegisterRequest;
import io.agentpeers.protocol.client.ClientOptions;
import io.agentpeers.protocol.client.PeersClient;
import io.agentpeers.protocol.transport.TransportConnector;
import io.agentpeers.transport.tcp.TcpAddress;
import io.agentpeers.transport.tcp.TcpConnector;
import io.agentpeers.transport.unix.UnixSocketConnector;
import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A sender and a subscribed recipient, both the real {@link PeersClient}: push latency is the time from
 * the sender calling {@code send} to the recipient's listener holding the message. One message is in
 * flight at a time, so the figure is the latency a user feels, not a queue under load.
 */
final class PushProbe implements AutoCloseable {
    static final Duration ARRIVAL_TIMEOUT = Duration.ofSeconds(10);
    private static final String PADDING = "x".repeat(90);

    private final PeersClient sender;
    private final PeersClient receiver;
    private final String receiverId;
    private final LinkedBlockingQueue<long[]> arrivals = new LinkedBlockingQueue<>();
    private long nextSeq;

    PushProbe(Endpoint endpoint, String cwd) {
        this(endpoint, endpoint, cwd);
    }

    /** A recipient on {@code receiverEndpoint} and a sender on {@code senderEndpoint}: two brokers, or one. */
    PushProbe(Endpoint receiverEndpoint, Endpoint senderEndpoint, String cwd) {
        PeersClient first = null;
        PeersClient second = null;
        try {
            first = connect(receiverEndpoint);
            first.register(registration(cwd));
            first.subscribe(envelope -> {
                long now = System.nanoTime();
                String text = envelope.message().text();
                int space = text.indexOf(' ');
                arrivals.add(new long[] {Long.parseLong(text.substring(1, space)), now});
            });
            second = connect(senderEndpoint);
            second.register(registration(cwd));
        } catch (RuntimeException e) {
            if (first != null) {
                first.close();
            }
            if (second != null) {
                second.close();
            }
            throw e;
        }
        this.receiver = first;
        this.sender = second;
        this.receiverId = first.self().id();
    }

    static PeersClient connect(Endpoint endpoint) {
        TransportConnector connector = endpoint.unix()
                ? new UnixSocketConnector(endpoint.socket())
                : new TcpConnector(new TcpAddress(endpoint.host(), endpoint.port()));
        ClientOptions options = ClientOptions.defaults()
                .withClientName("peers-bench/" + PeersClient.VERSION)
                .withReconnect(false)
                .withRequestTimeout(Duration.ofSeconds(30));
        if (endpoint.token() != null) {
            options = options.withToken(endpoint.token());
        }
        return PeersClient.connect(connector, options);
    }

    static RegisterRequest registration(String cwd) {
        return RegisterRequest.of(cwd, ClientType.GENERIC).withRepo(cwd, cwd + "/.git");
    }

    /** Sends {@code count} messages one after the other; returns the send-to-arrival times. */
    Samples run(int count) {
        Samples samples = new Samples();
        for (int i = 0; i < count; i++) {
            long seq = nextSeq++;
            long start = System.nanoTime();
            sender.send(receiverId, "p" + seq + " " + PADDING);
            long arrived = awaitArrival(seq);
            samples.add(arrived - start);
        }
        return samples;
    }

    private long awaitArrival(long seq) {
        long deadline = System.nanoTime() + ARRIVAL_TIMEOUT.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            long[] arrival;
            try {
                arrival = left > 0 ? arrivals.poll(left, TimeUnit.NANOSECONDS) : null;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
            if (arrival == null) {
                throw new IllegalStateException(
                        "message " + seq + " did not arrive within " + ARRIVAL_TIMEOUT.toSeconds() + " s");
            }
            if (arrival[0] == seq) {
                return arrival[1];
            }
            // a late duplicate of an earlier message: skip it
        }
    }

    @Override
    public void close() {
        sender.close();
        receiver.close();
    }
}
