package io.agentpeers.broker;

import io.agentpeers.protocol.client.ClientOptions;
import io.agentpeers.protocol.transport.TransportConnector;
import io.agentpeers.transport.tcp.TcpAddress;
import io.agentpeers.transport.tcp.TcpConnector;
import java.nio.file.Path;

class TcpBrokerContractTest extends AbstractBrokerContractTest {
    /** The first start picks a free port; a restart binds the same one, as a real broker would. */
    private String address = "127.0.0.1:0";

    @Override
    protected PeersBroker.Builder listen(PeersBroker.Builder builder, Path dir) {
        return builder.tcp(address, dir.resolve("token"));
    }

    @Override
    protected TransportConnector connector(PeersBroker broker) {
        address = broker.tcpAddress();
        return new TcpConnector(TcpAddress.parse(address));
    }

    @Override
    protected ClientOptions options(PeersBroker broker) {
        return super.options(broker).withToken(broker.token());
    }

    @Override
    protected boolean verified() {
        return false;
    }
}
