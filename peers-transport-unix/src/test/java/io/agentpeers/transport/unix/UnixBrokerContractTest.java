package io.agentpeers.transport.unix;

import io.agentpeers.broker.PeersBroker;
import io.agentpeers.protocol.transport.TransportConnector;
import io.agentpeers.testkit.AbstractBrokerContractTest;
import java.nio.file.Path;

class UnixBrokerContractTest extends AbstractBrokerContractTest {
    @Override
    protected PeersBroker.Builder listen(PeersBroker.Builder builder, Path dir) {
        return builder.listen(new UnixSocketListener(dir.resolve("peers.sock")));
    }

    @Override
    protected TransportConnector connector(PeersBroker broker) {
        return new UnixSocketConnector(dir.resolve("peers.sock"));
    }

    @Override
    protected boolean verified() {
        return true;
    }
}
