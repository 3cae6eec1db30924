package io.agentpeers.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.agentpeers.core.ClientType;
import io.agentpeers.core.RegisterRequest;
import io.agentpeers.protocol.Envelope;
import io.agentpeers.protocol.client.PeersClient;
import io.agentpeers.store.memory.InMemoryPeerStore;
import io.agentpeers.transport.invm.InVmListener;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The Java library example of README.md (in-VM transport, in-memory store), kept compiling and working. */
@Timeout(60)
class ReadmeExampleTest {

    @Test
    void theReadmeExampleRuns() throws Exception {
        InVmListener listener = new InVmListener("my-tests");
        try (PeersBroker broker = PeersBroker.builder()
                .store(new InMemoryPeerStore())
                .listen(listener)
                .start();
             PeersClient planner = PeersClient.connect(listener.connector());
             PeersClient worker = PeersClient.connect(listener.connector())) {
            planner.register(RegisterRequest.of("/src/app", ClientType.GENERIC).withName("planner"));
            worker.register(RegisterRequest.of("/src/app", ClientType.GENERIC).withName("worker"));
            BlockingQueue<Envelope> inbox = new LinkedBlockingQueue<>();
            worker.subscribe(inbox::add);
            planner.send("worker", "please run the tests");
            Envelope pushed = inbox.poll(10, TimeUnit.SECONDS);

            assertNotNull(pushed, "pushed to the worker");
            assertEquals("planner", pushed.sender().name());
            assertEquals("please run the tests", pushed.message().text());
            assertEquals(List.of("in-vm:my-tests"), broker.listeners());
        }
    }
}
