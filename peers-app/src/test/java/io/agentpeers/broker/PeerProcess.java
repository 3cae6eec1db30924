package io.agentpeers.broker;

import io.agentpeers.core.ClientType;
import io.agentpeers.core.RegisterRequest;
import io.agentpeers.core.Scope;
import io.agentpeers.protocol.Envelope;
import io.agentpeers.protocol.PeerInfo;
import io.agentpeers.protocol.client.ClientOptions;
import io.agentpeers.protocol.client.PeersClient;
import io.agentpeers.protocol.transport.TransportConnector;
import io.agentpeers.transport.tcp.TcpAddress;
import io.agentpeers.transport.tcp.TcpConnector;
import io.agentpeers.transport.unix.UnixSocketConnector;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A peer in a process of its own, for {@link TwoProcessesTest}: {@code answerer} waits for one message
 * and replies to it; {@code asker} finds the answerer by name, sends, and waits for the reply. Each
 * step is a line on stdout; any failure exits non-zero. Arguments: role, own name, the other's name,
 * then {@code unix PATH} or {@code tcp HOST:PORT TOKEN}.
 */
public final class PeerProcess {
    private static final Duration STEP = Duration.ofSeconds(30);

    private PeerProcess() {}

    public static void main(String[] args) throws Exception {
        String role = args[0];
        String self = args[1];
        String other = args[2];
        TransportConnector connector = "unix".equals(args[3])
                ? new UnixSocketConnector(Path.of(args[4]))
                : new TcpConnector(TcpAddress.parse(args[4]));
        ClientOptions options =
                "tcp".equals(args[3]) ? ClientOptions.defaults().withToken(args[5]) : ClientOptions.defaults();
        try (PeersClient client = PeersClient.connect(connector, options)) {
            client.register(
                    RegisterRequest.of("/two/processes", ClientType.GENERIC).withName(self));
            if ("answerer".equals(role)) {
                answer(client);
            } else {
                ask(client, other);
            }
        }
        System.exit(0);
    }

    private static void answer(PeersClient client) throws InterruptedException {
        BlockingQueue<Envelope> inbox = new LinkedBlockingQueue<>();
        client.subscribe(inbox::add);
        System.out.println("READY");
        Envelope got = inbox.poll(STEP.toSeconds(), TimeUnit.SECONDS);
        if (got == null) {
            throw new IllegalStateException("no message came within " + STEP);
        }
        System.out.println("GOT " + got.message().text() + " FROM "
                + got.sender().name() + " VERIFIED " + got.sender().verified());
        client.send(
                got.sender().id(), "hello " + got.sender().name(), got.message().id());
        System.out.println("REPLIED");
    }

    private static void ask(PeersClient client, String other) throws InterruptedException {
        long deadline = System.nanoTime() + STEP.toNanos();
        List<PeerInfo> seen = client.listPeers(Scope.DIRECTORY);
        while (seen.stream().noneMatch(peer -> other.equals(peer.name())) && System.nanoTime() < deadline) {
            Thread.sleep(20);
            seen = client.listPeers(Scope.DIRECTORY);
        }
        System.out.println("FOUND " + seen.stream().map(PeerInfo::displayName).toList());
        long id = client.send(other, "hello " + other).message().id();
        List<Envelope> replies = client.waitForMessages(STEP, 10);
        if (replies.isEmpty()) {
            throw new IllegalStateException("no reply came within " + STEP);
        }
        Envelope reply = replies.get(0);
        System.out.println(
                "REPLY " + reply.message().text() + " FROM " + reply.sender().name()
                        + (Long.valueOf(id).equals(reply.message().replyTo())
                                ? " TO MINE"
                                : " TO " + reply.message().replyTo()));
    }
}
