package io.agentpeers.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agentpeers.core.ClaimLimits;
import io.agentpeers.core.InvalidArgumentException;
import io.agentpeers.protocol.PeersPaths;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code PEERS_CLAIMS} sets the limits of claims on paths: paths per call, claims per peer. */
class BrokerConfigClaimsTest {
    @TempDir
    Path home;

    @Test
    void theClaimLimitsComeFromPeersClaims() {
        PeersPaths paths = PeersPaths.from(Map.of("PEERS_HOME", home.toString()), home);
        ClaimLimits limits = BrokerConfig.from(paths, Map.of("PEERS_CLAIMS", " 4/8 "))
                .limits()
                .claims();
        assertEquals(4, limits.perCall());
        assertEquals(8, limits.perPeer());
        assertEquals(
                ClaimLimits.defaults(),
                BrokerConfig.from(paths, Map.of()).limits().claims());
        for (String bad : new String[] {"4", "4/x", "4/8/2", "0/8", "-1/8"}) {
            InvalidArgumentException e = assertThrows(
                    InvalidArgumentException.class, () -> BrokerConfig.from(paths, Map.of("PEERS_CLAIMS", bad)), bad);
            assertTrue(e.getMessage().contains("claim"), e.getMessage());
        }
    }
}
