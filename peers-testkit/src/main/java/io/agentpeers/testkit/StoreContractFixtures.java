package io.agentpeers.testkit;

import io.agentpeers.core.ClientType;
import io.agentpeers.core.NewMessage;
import io.agentpeers.core.Peer;
import io.agentpeers.core.PeerId;
import io.agentpeers.core.PeerState;
import io.agentpeers.core.ProcessRef;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * Small builders of peers and messages for store tests. Every instant here is whole milliseconds,
 * the precision stores keep.
 */
public final class StoreContractFixtures {
    /** An arbitrary instant with a millisecond part, the origin of the suite's timelines. */
    public static final Instant T0 = Instant.parse("2025-06-01T12:00:00.123Z");

    private StoreContractFixtures() {}

    /** {@link #T0} plus {@code seconds}. */
    public static Instant at(long seconds) {
        return T0.plusSeconds(seconds);
    }

    /** {@code instant} without its sub-millisecond part. */
    public static Instant millis(Instant instant) {
        return instant.truncatedTo(ChronoUnit.MILLIS);
    }

    public static PeerId id(String value) {
        return new PeerId(value);
    }

    /** A live, verified Claude Code peer in a repository, registered at {@link #T0}; adjust with the builder. */
    public static PeerBuilder peer(String id) {
        return new PeerBuilder(new PeerId(id));
    }

    /** A message from {@code from} to {@code to}, not a reply. */
    public static NewMessage message(PeerId from, PeerId to, String text, Instant sentAt) {
        return new NewMessage(from, to, text, null, sentAt);
    }

    public static NewMessage message(Peer from, Peer to, String text, Instant sentAt) {
        return message(from.id(), to.id(), text, sentAt);
    }

    /** A reply to message {@code replyTo}. */
    public static NewMessage reply(PeerId from, PeerId to, String text, long replyTo, Instant sentAt) {
        return new NewMessage(from, to, text, replyTo, sentAt);
    }

    /** Builds a {@link Peer}; every field has a plausible default, distinct per id where it matters. */
    public static final class PeerBuilder {
        private final PeerId id;
        private String name;
        private ProcessRef connection;
        private ProcessRef agent;
        private String cwd = "/home/dev/project";
        private String gitRoot = "/home/dev/project";
        private String repoKey = "/home/dev/project/.git";
        private String repoRemote;
        private String tty = "/dev/pts/3";
        private ClientType clientType = ClientType.CLAUDE_CODE;
        private String summary = "";
        private Instant registeredAt = T0;
        private Instant lastSeen;
        private PeerState state = PeerState.LIVE;
        private Instant goneAt;
        private Instant nameReservedUntil;
        private String resumeSecretHash;
        private String previousSecretHash;
        private String sessionKey;

        PeerBuilder(PeerId id) {
            this.id = id;
            // Distinct processes per id, so that unrelated peers never look like the same agent.
            long pid = 10_000 + Math.floorMod(id.value().hashCode(), 1_000_000) * 2L;
            this.agent = new ProcessRef(pid, 1000, 500_000 + pid);
            this.connection = new ProcessRef(pid + 1, 1000, 500_001 + pid);
        }

        public PeerBuilder name(String value) {
            this.name = value;
            return this;
        }

        public PeerBuilder connection(ProcessRef value) {
            this.connection = value;
            return this;
        }

        public PeerBuilder agent(ProcessRef value) {
            this.agent = value;
            return this;
        }

        /** An agent process of pid {@code pid} started at {@code startTicks}, uid 1000. */
        public PeerBuilder agent(long pid, long startTicks) {
            return agent(new ProcessRef(pid, 1000, startTicks));
        }

        /** No credentials, as over TCP: neither connection nor agent process known. */
        public PeerBuilder unverified() {
            this.connection = null;
            this.agent = null;
            return this;
        }

        public PeerBuilder cwd(String value) {
            this.cwd = value;
            return this;
        }

        public PeerBuilder gitRoot(String value) {
            this.gitRoot = value;
            return this;
        }

        public PeerBuilder repoKey(String value) {
            this.repoKey = value;
            return this;
        }

        public PeerBuilder repoRemote(String value) {
            this.repoRemote = value;
            return this;
        }

        /** Outside any repository: no git root, no repo key, no remote. */
        public PeerBuilder outsideRepo() {
            this.gitRoot = null;
            this.repoKey = null;
            this.repoRemote = null;
            return this;
        }

        public PeerBuilder tty(String value) {
            this.tty = value;
            return this;
        }

        public PeerBuilder clientType(ClientType value) {
            this.clientType = value;
            return this;
        }

        public PeerBuilder summary(String value) {
            this.summary = value;
            return this;
        }

        /** Registration time; also the last-seen time unless {@link #lastSeen} is set. */
        public PeerBuilder registeredAt(Instant value) {
            this.registeredAt = value;
            return this;
        }

        public PeerBuilder lastSeen(Instant value) {
            this.lastSeen = value;
            return this;
        }

        /** Gone at {@code at}, its name reserved until {@code reservedUntil}. */
        public PeerBuilder gone(Instant at, Instant reservedUntil) {
            this.state = PeerState.GONE;
            this.goneAt = at;
            this.nameReservedUntil = reservedUntil;
            return this;
        }

        /** Gone at {@code at}, its name reserved for a day. */
        public PeerBuilder gone(Instant at) {
            return gone(at, at.plusSeconds(86_400));
        }

        public PeerBuilder resumeSecretHash(String value) {
            this.resumeSecretHash = value;
            return this;
        }

        public PeerBuilder previousSecretHash(String value) {
            this.previousSecretHash = value;
            return this;
        }

        public PeerBuilder sessionKey(String value) {
            this.sessionKey = value;
            return this;
        }

        public Peer build() {
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
                    lastSeen != null ? lastSeen : registeredAt,
                    state,
                    goneAt,
                    nameReservedUntil,
                    resumeSecretHash,
                    previousSecretHash,
                    sessionKey);
        }
    }
}
