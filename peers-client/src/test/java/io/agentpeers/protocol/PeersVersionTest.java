package io.agentpeers.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agentpeers.protocol.client.PeersClient;
import org.junit.jupiter.api.Test;

class PeersVersionTest {
    @Test
    void theBuildWroteAVersion() {
        assertTrue(PeersVersion.VERSION.matches("\\d+\\.\\d+\\.\\d+(-[A-Za-z0-9.]+)?"), PeersVersion.VERSION);
    }

    @Test
    void theClientReportsTheSameVersion() {
        assertEquals(PeersVersion.VERSION, PeersClient.VERSION);
    }
}
