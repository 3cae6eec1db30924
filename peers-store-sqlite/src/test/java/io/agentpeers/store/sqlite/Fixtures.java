package io.agentpeers.store.sqlite;

import io.agentpeers.core.ClientType;
import io.agentpeers.core.NewMessage;
import io.agentpeers.core.Peer;
import io.agentpeers.core.PeerId;
import io.agentpeers.core.PeerState;
import io.agentpeers.core.ProcessRef;
import java.time.Instant;

/** Peers and messages for the tests of this module. */
final class Fixtures {
    static final Instant T0 = Instant.parse("2026-01-01T09:00:00Z");

    private Fixtures() {}

    static Peer livePeer(String name, String cwd, Instant registeredAt) {
        return new Peer(
                PeerId.random(),
                name,
                new ProcessRef(4242, 1000, 777),
                new ProcessRef(4241, 1000, 666),
                cwd,
                "/repo",
                "/repo/.git",
                null,
                "/dev/pts/3",
                ClientType.CLAUDE_CODE,
                "working on tests",
                registeredAt,
                registeredAt,
                PeerState.LIVE,
                null,
                null,
                "ab".repeat(32));
    }

    static Peer unverifiedPeer(String cwd, Instant registeredAt) {
        return new Peer(
                PeerId.random(),
                null,
                null,
                null,
                cwd,
                null,
                null,
                null,
                null,
                ClientType.GENERIC,
                "",
                registeredAt,
                registeredAt,
                PeerState.LIVE,
                null,
                null,
                null);
    }

    static NewMessage message(Peer from, Peer to, String text, Instant at) {
        return new NewMessage(from.id(), to.id(), text, null, at);
    }
}
