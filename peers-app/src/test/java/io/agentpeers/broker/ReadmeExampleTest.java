package io.agentpeers.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.agentpeers.core.ClientType;
import io.agentpeers.core.RegisterRequest;
import io.agentpeers.protocol.Envelope;
import io.agentpeers.protocol.client.PeersClient;
import io.agentpeers.store.memory.InMemoryPeerStore;
import io.agentpeers.transport.unix.UnixSocketConnector;
import io.agentpeers.transport.unix.UnixSocketListener;
import java.nio.file.Path;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Java library example of README.md, kept compiling and working. */
class ReadmeExampleTest {
    @TempDir
    Path dir;

    @Test
    void theReadmeExampleRuns() throws Exception {
        BlockingQueue<Envelope> seen = new LinkedBlockingQueue<>();
        try (PeersBroker broker = PeersBroker.builder()
                .listen(new UnixSocketListener(dir.resolve("peers.sock")))
                .store(new InMemoryPeerStore())
                .start();
             PeersClient planner = PeersClient.connect(new UnixSocketConnector(dir.resolve("peers.sock")));
             PeersClient worker = PeersClient.connect(new UnixSocketConnector(dir.resolve("peers.sock")))) {
            planner.register(RegisterRequest.of("/src/app", ClientType.GENERIC).withName("planner"));
            worker.register(RegisterRequest.of("/src/app", ClientType.GENERIC).withName("worker"));
            worker.subscribe(seen::add);
            planner.send("worker", "please run the tests");

            Envelope envelope = seen.poll(10, TimeUnit.SECONDS);
            assertNotNull(envelope);
            assertEquals("planner", envelope.sender().name());
            assertEquals("please run the tests", envelope.message().text());
        }
    }
}
