package io.agentpeers.store.postgres.internal;

import io.agentpeers.core.ClientType;
import io.agentpeers.core.Peer;
import io.agentpeers.core.PeerHolder;
import io.agentpeers.core.PeerId;
import io.agentpeers.core.PeerState;
import io.agentpeers.core.ProcessRef;
import java.time.Instant;

/**
 * One row of {@code peers}, flat as stored: processes split into columns, instants as epoch milliseconds.
 * {@code holderId} and {@code holderHost} are read only (the broker column is written from the connection's
 * broker id): the other broker holding the peer, null for one of this broker.
 */
public record PeerRow(
        String id,
        String name,
        Long connPid,
        Integer connUid,
        Long connStartTicks,
        Long agentPid,
        Integer agentUid,
        Long agentStartTicks,
        String cwd,
        String gitRoot,
        String repoKey,
        String repoRemote,
        String tty,
        String clientType,
        String summary,
        long registeredAt,
        long lastSeen,
        String state,
        Long goneAt,
        Long nameReservedUntil,
        String resumeSecretHash,
        String previousSecretHash,
        String sessionKey,
        String holderId,
        String holderHost) {

    public static PeerRow of(Peer p) {
        ProcessRef c = p.connection();
        ProcessRef a = p.agent();
        return new PeerRow(
                p.id().value(),
                p.name(),
                c == null ? null : c.pid(),
                c == null ? null : c.uid(),
                c == null ? null : c.startTicks(),
                a == null ? null : a.pid(),
                a == null ? null : a.uid(),
                a == null ? null : a.startTicks(),
                p.cwd(),
                p.gitRoot(),
                p.repoKey(),
                p.repoRemote(),
                p.tty(),
                p.clientType().wireName(),
                p.summary(),
                p.registeredAt().toEpochMilli(),
                p.lastSeen().toEpochMilli(),
                p.state().wireName(),
                millis(p.goneAt()),
                millis(p.nameReservedUntil()),
                p.resumeSecretHash(),
                p.previousSecretHash(),
                p.sessionKey(),
                null,
                null);
    }

    public Peer toPeer() {
        return new Peer(
                new PeerId(id),
                name,
                process(connPid, connUid, connStartTicks),
                process(agentPid, agentUid, agentStartTicks),
                cwd,
                gitRoot,
                repoKey,
                repoRemote,
                tty,
                ClientType.fromWireName(clientType),
                summary,
                Instant.ofEpochMilli(registeredAt),
                Instant.ofEpochMilli(lastSeen),
                PeerState.fromWireName(state),
                instant(goneAt),
                instant(nameReservedUntil),
                resumeSecretHash,
                previousSecretHash,
                sessionKey,
                holderId == null ? null : new PeerHolder(holderId, holderHost));
    }

    private static ProcessRef process(Long pid, Integer uid, Long startTicks) {
        return pid == null ? null : new ProcessRef(pid, uid, startTicks);
    }

    static Long millis(Instant instant) {
        return instant == null ? null : instant.toEpochMilli();
    }

    static Instant instant(Long millis) {
        return millis == null ? null : Instant.ofEpochMilli(millis);
    }
}
