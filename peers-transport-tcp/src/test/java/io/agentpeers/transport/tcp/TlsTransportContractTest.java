package io.agentpeers.transport.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.agentpeers.protocol.transport.TransportConnector;
import io.agentpeers.protocol.transport.TransportListener;
import io.agentpeers.testkit.AbstractTransportContractTest;
import io.agentpeers.transport.tcp.tls.TestTls;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The transport contract over mutual TLS on loopback, plus what only TLS promises. */
class TlsTransportContractTest extends AbstractTransportContractTest {
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    private TestTls tls;

    @Override
    protected TransportListener newListener(Path folder) {
        tls = new TestTls(folder);
        return tls.listener();
    }

    @Override
    protected TransportConnector newConnector(TransportListener listener) {
        return tls.connector((TcpListener) listener, "laptop-1");
    }

    /**
     * Each TLS connection costs a full handshake (EC keys, two certificate checks) on both sides: 200 and 300 of
     * them took most of this suite's 13 s on two cores. 60 still serve many at once from a few threads and churn
     * them through every way of dropping one; the selector code under them is the TCP suite's.
     */
    @Override
    protected int manyConnections() {
        return 60;
    }

    @Override
    protected int churnedConnections() {
        return 60;
    }

    @Test
    void aTlsCallerIsKnownByItsCertificateNeverByAUid() throws IOException {
        JsonNode me = connect().call("whoami", null).get("result");

        assertEquals("tls", me.path("transport").asText());
        assertEquals("laptop-1", me.path("certificate").asText());
        assertFalse(me.path("verified").asBoolean());
        assertTrue(me.path("tokenRequired").asBoolean(), "the token stays a second factor");
        assertFalse(me.has("pid"));
    }

    @Test
    void aLineFarLongerThanATlsRecordArrivesWhole() throws IOException {
        String big = "x".repeat(MAX_LINE_BYTES - 100); // four 16 KB records and more, both ways
        JsonNode reply = connect().call("echo", JSON.objectNode().put("v", big));

        assertEquals(big, reply.path("result").path("v").asText());
    }
}
