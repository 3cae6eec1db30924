package io.agentpeers.core;

import java.time.Instant;
import java.util.Objects;

/**
 * One registration on one broker connection, as the broker keeps it.
 *
 * @param id                 short random id, never reused
 * @param name               optional name, unique among live peers and reserved for a gone one
 *                           until {@code nameReservedUntil}
 * @param connection         the process holding the socket, from the socket's credentials;
 *                           {@code null} when the connection carried none (TCP): unverified
 * @param agent              the process that {@code kill} ends, verified against {@code /proc};
 *                           {@code null} when unverified
 * @param cwd                working directory of the agent
 * @param gitRoot            top of the git work tree, or {@code null}
 * @param repoKey            the same for every worktree and subdirectory of one repository (the
 *                           resolved git common dir), or {@code null} outside a repository
 * @param repoRemote         the repository's remote as {@code host/path}, the same on every host that cloned it:
 *                           scope {@code repo}'s second key, for peers of other hosts; or {@code null}
 * @param tty                the agent's terminal, or {@code null}
 * @param clientType         what kind of client holds the connection
 * @param summary            what the peer says it is working on; empty at first
 * @param registeredAt       when this peer was first registered
 * @param lastSeen           its last registration, resume or request that changed something
 * @param state              live or gone
 * @param goneAt             when it went, or {@code null} while live
 * @param nameReservedUntil  until when a gone peer keeps its name, or {@code null} while live
 * @param resumeSecretHash   SHA-256 (hex) of the secret that resumes this peer explicitly
 * @param previousSecretHash SHA-256 (hex) of the secret presented at the last resume, still accepted until
 *                           the current one is used: the client may never have received the current one
 * @param sessionKey         the agent client's own id for its session (Claude Code's session id), which a
 *                           new process of the same session presents to take this peer back, or {@code null}
 * @param holder             the other broker that holds (or last held) this peer, when several brokers share
 *                           the store; {@code null} for a peer of the broker asking (always, on a store of one)
 */
public record Peer(
        PeerId id,
        String name,
        ProcessRef connection,
        ProcessRef agent,
        String cwd,
        String gitRoot,
        String repoKey,
        String repoRemote,
        String tty,
        ClientType clientType,
        String summary,
        Instant registeredAt,
        Instant lastSeen,
        PeerState state,
        Instant goneAt,
        Instant nameReservedUntil,
        String resumeSecretHash,
        String previousSecretHash,
        String sessionKey,
        PeerHolder holder) {

    /**
     * A null summary becomes empty.
     *
     * @throws NullPointerException when id, cwd, clientType, registeredAt, lastSeen or state is null
     */
    public Peer {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(cwd, "cwd");
        Objects.requireNonNull(clientType, "clientType");
        Objects.requireNonNull(registeredAt, "registeredAt");
        Objects.requireNonNull(lastSeen, "lastSeen");
        Objects.requireNonNull(state, "state");
        summary = summary == null ? "" : summary;
    }

    /** A peer of the broker asking (no other holder). */
    public Peer(
            PeerId id,
            String name,
            ProcessRef connection,
            ProcessRef agent,
            String cwd,
            String gitRoot,
            String repoKey,
            String repoRemote,
            String tty,
            ClientType clientType,
            String summary,
            Instant registeredAt,
            Instant lastSeen,
            PeerState state,
            Instant goneAt,
            Instant nameReservedUntil,
            String resumeSecretHash,
            String previousSecretHash,
            String sessionKey) {
        this(
                id,
                name,
                connection,
                agent,
                cwd,
                gitRoot,
                repoKey,
                repoRemote,
                tty,
                clientType,
                summary,
                registeredAt,
                lastSeen,
                state,
                goneAt,
                nameReservedUntil,
                resumeSecretHash,
                previousSecretHash,
                sessionKey,
                null);
    }

    /** A peer without a previous secret or session key (a first registration). */
    public Peer(
            PeerId id,
            String name,
            ProcessRef connection,
            ProcessRef agent,
            String cwd,
            String gitRoot,
            String repoKey,
            String repoRemote,
            String tty,
            ClientType clientType,
            String summary,
            Instant registeredAt,
            Instant lastSeen,
            PeerState state,
            Instant goneAt,
            Instant nameReservedUntil,
            String resumeSecretHash) {
        this(
                id,
                name,
                connection,
                agent,
                cwd,
                gitRoot,
                repoKey,
                repoRemote,
                tty,
                clientType,
                summary,
                registeredAt,
                lastSeen,
                state,
                goneAt,
                nameReservedUntil,
                resumeSecretHash,
                null,
                null);
    }

    /** Whether the broker knows this peer's processes from socket credentials (not a TCP peer). */
    public boolean verified() {
        return connection != null;
    }

    /** Whether the broker asking holds (or last held) this peer, rather than another broker on the same store. */
    public boolean heldHere() {
        return holder == null;
    }

    /**
     * Whether {@code other} works in the same repository: the same git common dir (worktrees of one clone), or
     * the same remote (clones of one project, on any host).
     */
    public boolean sameRepository(Peer other) {
        return (repoKey != null && repoKey.equals(other.repoKey))
                || (repoRemote != null && repoRemote.equals(other.repoRemote));
    }

    /** Whether a connection holds this peer now. */
    public boolean live() {
        return state == PeerState.LIVE;
    }

    /** Whether {@code name} refers to this peer at {@code now}: a live peer's name, or a gone one's still reserved. */
    public boolean holdsName(String candidate, Instant now) {
        if (name == null || !name.equals(candidate)) {
            return false;
        }
        return live() || (nameReservedUntil != null && nameReservedUntil.isAfter(now));
    }

    /** The name if it has one, else the id: how people and models should see this peer. */
    public String displayName() {
        return name != null ? name : id.value();
    }

    /** This peer under another name ({@code null}: none). */
    public Peer withName(String newName) {
        return new Peer(
                id,
                newName,
                connection,
                agent,
                cwd,
                gitRoot,
                repoKey,
                repoRemote,
                tty,
                clientType,
                summary,
                registeredAt,
                lastSeen,
                state,
                goneAt,
                nameReservedUntil,
                resumeSecretHash,
                previousSecretHash,
                sessionKey,
                holder);
    }

    /** This peer with a new summary, seen at {@code at}. */
    public Peer withSummary(String newSummary, Instant at) {
        return new Peer(
                id,
                name,
                connection,
                agent,
                cwd,
                gitRoot,
                repoKey,
                repoRemote,
                tty,
                clientType,
                newSummary,
                registeredAt,
                at,
                state,
                goneAt,
                nameReservedUntil,
                resumeSecretHash,
                previousSecretHash,
                sessionKey,
                holder);
    }

    /** This peer seen at {@code at}. */
    public Peer withLastSeen(Instant at) {
        return new Peer(
                id,
                name,
                connection,
                agent,
                cwd,
                gitRoot,
                repoKey,
                repoRemote,
                tty,
                clientType,
                summary,
                registeredAt,
                at,
                state,
                goneAt,
                nameReservedUntil,
                resumeSecretHash,
                previousSecretHash,
                sessionKey,
                holder);
    }

    /** This peer of the agent session {@code key}. */
    public Peer withSessionKey(String key) {
        return new Peer(
                id,
                name,
                connection,
                agent,
                cwd,
                gitRoot,
                repoKey,
                repoRemote,
                tty,
                clientType,
                summary,
                registeredAt,
                lastSeen,
                state,
                goneAt,
                nameReservedUntil,
                resumeSecretHash,
                previousSecretHash,
                key,
                holder);
    }

    /** This peer gone at {@code at}, its name reserved until {@code reservedUntil}. */
    public Peer gone(Instant at, Instant reservedUntil) {
        return new Peer(
                id,
                name,
                connection,
                agent,
                cwd,
                gitRoot,
                repoKey,
                repoRemote,
                tty,
                clientType,
                summary,
                registeredAt,
                lastSeen,
                PeerState.GONE,
                at,
                reservedUntil,
                resumeSecretHash,
                previousSecretHash,
                sessionKey,
                holder);
    }
}
