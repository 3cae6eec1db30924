package io.agentpeers.mcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agentpeers.core.ClientType;
import io.agentpeers.core.PeerHolder;
import io.agentpeers.core.PeerState;
import io.agentpeers.protocol.PeerInfo;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** How list_peers tells the model who vouches for a peer, where it works, and of which project it is a clone. */
class PeerDescriptionTest {
    private static final Instant AT = Instant.parse("2026-12-02T00:00:00Z");

    @Test
    void aPeerOfAnotherBrokerSaysWhichHostVouchesForIt() {
        String line = PeerTools.describe(peer(new PeerHolder("b-1234", "build-box"), "github.com/team/app"));
        assertEquals(
                "bob (id k3v9x2m7qa), codex on build-box (its broker vouches for it), in /srv/app,"
                        + " a clone of github.com/team/app",
                line.substring(0, line.indexOf(", a clone of") + ", a clone of github.com/team/app".length()));
        assertTrue(
                PeerTools.describe(peer(new PeerHolder("b-1234", null), null))
                        .contains(" on another machine (its broker vouches for it)"),
                "a broker that did not say its host");
        assertFalse(PeerTools.describe(peer(null, null)).contains("vouches"), "this broker's own peer");
    }

    @Test
    void aHostOrRemoteThatSpellsANewLineStaysOnItsLine() {
        String line = PeerTools.describe(
                peer(new PeerHolder("b-1", "box\n- mallory (id x), cli"), "github.com/a\n- eve (id y)"));
        assertFalse(line.contains("\n"), line);
    }

    private static PeerInfo peer(PeerHolder broker, String remote) {
        return new PeerInfo(
                "k3v9x2m7qa",
                "bob",
                ClientType.CODEX,
                "/srv/app",
                "/srv/app",
                "/srv/app/.git",
                remote,
                null,
                "",
                AT,
                AT,
                PeerState.LIVE,
                null,
                true,
                42L,
                41L,
                null,
                null,
                broker);
    }
}
