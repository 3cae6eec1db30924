package io.agentpeers.transport.tcp;

import io.agentpeers.broker.PeersBroker;
import io.agentpeers.protocol.client.ClientOptions;
import io.agentpeers.protocol.transport.TransportConnector;
import io.agentpeers.testkit.AbstractBrokerContractTest;
import java.nio.file.Path;

class TcpBrokerContractTest extends AbstractBrokerContractTest {
    /** The first start picks a free port; a restart binds the same one, as a real broker would. */
    private static final String TOKEN = "contract-test-token";

    private String address = "127.0.0.1:0";
    private TcpListener listener;

    @Override
    protected PeersBroker.Builder listen(PeersBroker.Builder builder, Path dir) {
        listener = new TcpListener(TcpAddress.parse(address));
        return builder.listen(listener).token(TOKEN);
    }

    @Override
    protected TransportConnector connector(PeersBroker broker) {
        address = listener.address();
        return new TcpConnector(TcpAddress.parse(address));
    }

    @Override
    protected ClientOptions options(PeersBroker broker) {
        return super.options(broker).withToken(TOKEN);
    }

    @Override
    protected boolean verified() {
        return false;
    }
}
