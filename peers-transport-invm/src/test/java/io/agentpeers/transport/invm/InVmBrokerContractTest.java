package io.agentpeers.transport.invm;

import io.agentpeers.broker.PeersBroker;
import io.agentpeers.protocol.transport.TransportConnector;
import io.agentpeers.testkit.AbstractBrokerContractTest;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

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
}
