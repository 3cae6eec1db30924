import io.agentpeers.broker.PeersBroker;
import io.agentpeers.core.ClientType;
import io.agentpeers.core.RegisterRequest;
import io.agentpeers.protocol.Envelope;
import io.agentpeers.protocol.client.PeersClient;
import io.agentpeers.store.memory.InMemoryPeerStore;
import io.agentpeers.transport.invm.InVmListener;
import java.time.Duration;
import java.util.List;

public class Orchestrator {
    public static void main(String[] args) throws Exception {
        InVmListener listener = new InVmListener("my-tests");
        try (PeersBroker broker = PeersBroker.builder()
                .store(new InMemoryPeerStore())          // or .ownedStore(SqlitePeerStore.open(path))
                .listen(listener)                        // or a UnixSocketListener, a TcpListener
                .start();
             PeersClient planner = PeersClient.connect(listener.connector());
             PeersClient worker = PeersClient.connect(listener.connector())) {
            planner.register(RegisterRequest.of("/src/app", ClientType.GENERIC).withName("planner"));
            worker.register(RegisterRequest.of("/src/app", ClientType.GENERIC).withName("worker"));
            planner.send("worker", "please run the tests");   // durable once this returns
            // a long poll; worker.subscribe(...) has messages pushed instead
            List<Envelope> received = worker.waitForMessages(Duration.ofSeconds(10), 10);
            if (received.isEmpty()) {
                throw new IllegalStateException("the worker got no message");
            }
            for (Envelope envelope : received) {
                System.out.println(envelope.sender().name() + ": " + envelope.message().text());
            }
        }
    }
}
