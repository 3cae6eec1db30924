package io.agentpeers.transport.tcp;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agentpeers.protocol.transport.TransportException;
import org.junit.jupiter.api.Test;

/** A connector fails as a transport, whatever stands in the way, so callers need one catch. */
class TcpConnectorTest {

    @Test
    void aHostThatDoesNotResolveIsATransportFailure() {
        TcpConnector connector = new TcpConnector(TcpAddress.parse("no-such-host.invalid:7899"));
        TransportException failure = assertThrows(TransportException.class, connector::connect);
        assertTrue(failure.getMessage().contains("no-such-host.invalid"), failure.getMessage());
    }
}
