package io.agentpeers.broker;

import io.agentpeers.protocol.transport.TransportConnector;
import io.agentpeers.transport.unix.UnixSocketConnector;
import java.nio.file.Path;

class UnixBrokerContractTest extends AbstractBrokerContractTest {
    @Override
    protected PeersBroker.Builder listen(PeersBroker.Builder builder, Path dir) {
        return builder.socket(dir.resolve("peers.sock"));
    }

    @Override
    protected TransportConnector connector(PeersBroker broker) {
        return new UnixSocketConnector(broker.socket());
    }

    @Override
    protected boolean verified() {
        return true;
    }
}
