package io.agentpeers.transport.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agentpeers.core.InvalidArgumentException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TcpAddressTest {

    @Test
    void hostAndPortForms() {
        assertEquals(new TcpAddress("127.0.0.1", 7899), TcpAddress.parse("127.0.0.1:7899"));
        assertEquals(new TcpAddress("localhost", 7899), TcpAddress.parse("localhost:7899"));
        assertEquals(new TcpAddress("::1", 7899), TcpAddress.parse("[::1]:7899"));
        assertEquals(new TcpAddress("0.0.0.0", 1), TcpAddress.parse(" 0.0.0.0:1 "));
        assertEquals("[::1]:7899", TcpAddress.parse("[::1]:7899").toString());
    }

    @Test
    void aBarePortMeansLoopback() {
        assertEquals(TcpAddress.loopback(7899), TcpAddress.parse("7899"));
        assertEquals(TcpAddress.loopback(7899), TcpAddress.parse(":7899"));
        assertTrue(TcpAddress.parse("7899").resolve().getAddress().isLoopbackAddress());
        assertTrue(TcpAddress.parse("[::1]:7899").resolve().getAddress().isLoopbackAddress());
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "host",
                "host:",
                ":",
                "host:port",
                "::1:7899",
                "[::1]7899",
                "[::1]:",
                "h:65536",
                "h:-1",
                "h:123456"
            })
    void malformedAddressesAreRefusedWithTheExpectedForms(String text) {
        InvalidArgumentException e = assertThrows(InvalidArgumentException.class, () -> TcpAddress.parse(text));
        assertTrue(e.getMessage().contains("127.0.0.1:7899") || e.getMessage().contains("port"), e.getMessage());
    }
}
