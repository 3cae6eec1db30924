package io.agentpeers.transport.tcp;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agentpeers.protocol.transport.TransportException;
import org.junit.jupiter.api.Test;

/** Plain TCP would carry the token in clear: on an address that is not loopback it is refused before binding. */
class PlainTcpLoopbackOnlyTest {

    @Test
    void plainTcpOnAllInterfacesIsRefusedAtStart() {
        try (TcpListener listener = new TcpListener(TcpAddress.parse("0.0.0.0:0"))) {
            TransportException refused = assertThrows(TransportException.class, () -> listener.start(channel -> {}));

            assertTrue(refused.getMessage().contains("not a loopback address"), refused.getMessage());
            assertTrue(refused.getMessage().contains("--tls"), "it says what to do instead: " + refused.getMessage());
        }
    }

    @Test
    void plainTcpOnLoopbackStillStarts() {
        try (TcpListener listener = new TcpListener(TcpAddress.loopback(0))) {
            listener.start(channel -> {});
            assertTrue(listener.boundAddress().port() > 0);
        }
    }
}
