package io.agentpeers.transport.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentpeers.protocol.transport.TransportConnector;
import io.agentpeers.protocol.transport.TransportListener;
import io.agentpeers.testkit.AbstractTransportContractTest;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The transport contract over loopback TCP, plus what only TCP promises. */
class TcpTransportContractTest extends AbstractTransportContractTest {

    @Override
    protected TransportListener newListener(Path folder) {
        return new TcpListener(TcpAddress.loopback(0));
    }

    @Override
    protected TransportConnector newConnector(TransportListener listener) {
        return new TcpConnector(((TcpListener) listener).boundAddress());
    }

    @Test
    void aTcpCallerIsUnverifiedAndMustPresentTheToken() throws IOException {
        JsonNode me = connect().call("whoami", null).get("result");

        assertFalse(me.path("verified").asBoolean());
        assertTrue(me.path("tokenRequired").asBoolean());
        assertFalse(me.has("pid"));
    }

    @Test
    void theListenerBindsLoopbackWithARealPort() throws IOException {
        TcpAddress bound = ((TcpListener) listener).boundAddress();

        assertTrue(InetAddress.getByName(bound.host()).isLoopbackAddress());
        assertTrue(bound.port() > 0);
        assertEquals(bound.toString(), listener.address());
    }
}
