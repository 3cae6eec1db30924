package io.agentpeers.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agentpeers.core.InvalidArgumentException;
import io.agentpeers.core.PeersLimits;
import io.agentpeers.protocol.PeersPaths;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** PEERS_EXCHANGES sets the ping-pong guard: MAX/MINUTES, off, or a clear refusal. */
class BrokerConfigExchangesTest {
    @TempDir
    Path home;

    private PeersLimits limits(Map<String, String> env) {
        return BrokerConfig.from(PeersPaths.under(home), env).limits();
    }

    private PeersLimits limits(String value) {
        return limits(Map.of("PEERS_EXCHANGES", value));
    }

    @Test
    void theGuardIsConfiguredTurnedOffOrRefusedInOneSentence() {
        PeersLimits defaults = limits(Map.of());
        assertEquals(20, defaults.maxExchanges());
        assertEquals(Duration.ofMinutes(10), defaults.exchangeWindow());
        assertEquals(6, limits("6/2").maxExchanges());
        assertEquals(Duration.ofMinutes(2), limits("6/2").exchangeWindow());
        assertEquals(0, limits("off").maxExchanges());
        InvalidArgumentException bad = assertThrows(InvalidArgumentException.class, () -> limits("lots"));
        assertTrue(bad.getMessage().contains("PEERS_EXCHANGES must look like 20/10"), bad.getMessage());
        assertThrows(InvalidArgumentException.class, () -> limits("5000/10"), "more than the limit's bound");
    }
}
