package io.agentpeers.transport.tcp;

import io.agentpeers.broker.PeersBroker;
import io.agentpeers.protocol.client.ClientOptions;
import io.agentpeers.protocol.transport.TransportConnector;
import io.agentpeers.testkit.AbstractBrokerContractTest;
import io.agentpeers.transport.tcp.tls.TestTls;
import java.nio.file.Path;

/** The broker contract over mutual TLS: every rule holds, with peers known by certificate, never by uid. */
class TlsBrokerContractTest extends AbstractBrokerContractTest {
    private static final String TOKEN = "contract-test-token";

    /** The first start picks a free port; a restart binds the same one, as a real broker would. */
    private String address = "127.0.0.1:0";

    private TestTls tls;
    private TcpListener listener;

    @Override
    protected PeersBroker.Builder listen(PeersBroker.Builder builder, Path dir) {
        if (tls == null) {
            tls = new TestTls(dir);
        }
        listener = TcpListener.tls(TcpAddress.parse(address), tls.server());
        return builder.listen(listener).token(TOKEN);
    }

    @Override
    protected TransportConnector connector(PeersBroker broker) {
        address = listener.address();
        return tls.connector(listener, "contract-client");
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
