package io.agentpeers.protocol;

import io.agentpeers.core.ClientType;
import io.agentpeers.core.Delivery;
import io.agentpeers.core.PeerState;
import java.time.Instant;

/**
 * A peer as clients see it on the wire (docs/protocol.md, "Peer"). Fields a sender summary lacks
 * (registration times, state) are null there. {@code delivery} is how a live peer receives messages;
 * null for a gone peer, in a sender summary, and from a broker that does not say.
 */
public record PeerInfo(
        String id,
        String name,
        ClientType clientType,
        String cwd,
        String gitRoot,
        String repoKey,
        String tty,
        String summary,
        Instant registeredAt,
        Instant lastSeen,
        PeerState state,
        Instant goneAt,
        boolean verified,
        Long pid,
        Long agentPid,
        Delivery delivery) {

    /** The name if it has one, else the id. */
    public String displayName() {
        return name != null ? name : id;
    }

    /** Whether the peer is live; also true when the state is unknown (a sender summary carries none). */
    public boolean live() {
        return state == null || state == PeerState.LIVE;
    }
}
