package io.agentpeers.transport.invm;

import static org.junit.jupiter.api.Assertions.assertThrows;

import io.agentpeers.broker.PeersBroker;
import io.agentpeers.protocol.transport.TransportConnector;
import io.agentpeers.testkit.AbstractBrokerContractTest;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class InVmBrokerContractTest extends AbstractBrokerContractTest {
    private static final AtomicInteger TESTS = new AtomicInteger();
    /** One name per test; a restarted broker listens under the same name, as it would on the same socket. */
    private final String name = "broker-contract-" + TESTS.incrementAndGet();

    @Override
    protected PeersBroker.Builder listen(PeersBroker.Builder builder, Path dir) {
        return builder.listen(new InVmListener(name));
    }

    @Override
    protected TransportConnector connector(PeersBroker broker) {
        return new InVmConnector(name);
    }

    @Override
    protected boolean verified() {
        return false;
    }

    @Test
    void anEmbeddedBrokerNeedsNoSocketLibraryAndNoSqlite() {
        startBroker();
        connect().ping();

        // Not even on the class path: no native library can be loaded for this broker.
        assertThrows(ClassNotFoundException.class, () -> Class.forName("org.newsclub.net.unix.AFUNIXSocket"));
        assertThrows(ClassNotFoundException.class, () -> Class.forName("org.sqlite.JDBC"));
    }
}
