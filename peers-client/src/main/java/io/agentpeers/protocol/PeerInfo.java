package io.agentpeers.protocol;

import io.agentpeers.core.ClientType;
import io.agentpeers.core.Delivery;
import io.agentpeers.core.PeerHolder;
import io.agentpeers.core.PeerState;
import java.time.Instant;

/**
 * A peer as clients see it on the wire (docs/protocol.md, "Peer"). Fields a sender summary lacks
 * (registration times, state) are null there. {@code delivery} is how a live peer receives messages;
 * null for a gone peer, in a sender summary, and from a broker that does not say. {@code certificate} is the
 * name of the client certificate a live peer connected with over TLS (the team's CA vouches for it; it is
 * never {@code verified}), else null. {@code broker} is the other broker that holds the peer when several
 * brokers share one database (its {@code verified}, pids and folders are that broker's word, of its host), else
 * null. {@code repoRemote} is the repository's remote ({@code host/path}) where the peer's checkout has one.
 */
public record PeerInfo(
        String id,
        String name,
        ClientType clientType,
        String cwd,
        String gitRoot,
        String repoKey,
        String repoRemote,
        String tty,
        String summary,
        Instant registeredAt,
        Instant lastSeen,
        PeerState state,
        Instant goneAt,
        boolean verified,
        Long pid,
        Long agentPid,
        Delivery delivery,
        String certificate,
        PeerHolder broker) {

    /** A peer of the broker asked (or of a broker that does not say). */
    public PeerInfo(
            String id,
            String name,
            ClientType clientType,
            String cwd,
            String gitRoot,
            String repoKey,
            String repoRemote,
            String tty,
            String summary,
            Instant registeredAt,
            Instant lastSeen,
            PeerState state,
            Instant goneAt,
            boolean verified,
            Long pid,
            Long agentPid,
            Delivery delivery,
            String certificate) {
        this(
                id,
                name,
                clientType,
                cwd,
                gitRoot,
                repoKey,
                repoRemote,
                tty,
                summary,
                registeredAt,
                lastSeen,
                state,
                goneAt,
                verified,
                pid,
                agentPid,
                delivery,
                certificate,
                null);
    }

    /** A peer that did not connect over TLS. */
    public PeerInfo(
            String id,
            String name,
            ClientType clientType,
            String cwd,
            String gitRoot,
            String repoKey,
            String repoRemote,
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
        this(
                id,
                name,
                clientType,
                cwd,
                gitRoot,
                repoKey,
                repoRemote,
                tty,
                summary,
                registeredAt,
                lastSeen,
                state,
                goneAt,
                verified,
                pid,
                agentPid,
                delivery,
                null);
    }

    /** How the broker knows who it is: {@code "uid"} (this machine's kernel), {@code "certificate"}, or {@code "none"}. */
    public String verifiedBy() {
        return verified ? "uid" : certificate != null ? "certificate" : "none";
    }

    /** The name if it has one, else the id. */
    public String displayName() {
        return name != null ? name : id;
    }

    /** Whether the peer is live; also true when the state is unknown (a sender summary carries none). */
    public boolean live() {
        return state == null || state == PeerState.LIVE;
    }
}
