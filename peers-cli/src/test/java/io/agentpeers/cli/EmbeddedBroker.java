package io.agentpeers.cli;

import com.sun.security.auth.module.UnixSystem;
import io.agentpeers.broker.PeersBroker;
import io.agentpeers.core.ClientType;
import io.agentpeers.core.RegisterRequest;
import io.agentpeers.protocol.client.ClientOptions;
import io.agentpeers.protocol.client.PeersClient;
import io.agentpeers.store.memory.InMemoryPeerStore;
import io.agentpeers.testkit.ProcessTable;
import io.agentpeers.transport.unix.UnixSocketConnector;
import io.agentpeers.transport.unix.UnixSocketListener;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A broker in this JVM for the CLI's in-process tests: on a Unix socket in PEERS_HOME (the path the CLI
 * finds by itself), an in-memory store, and a {@link ProcessTable} instead of the machine's processes,
 * in which this JVM is a process whose parent is a made-up agent. So {@code peers kill} can end an
 * agent, and no test can signal a real process.
 */
final class EmbeddedBroker implements AutoCloseable {
    /** The made-up agent process: the parent of this JVM in the table. */
    static final long AGENT_PID = 4_000_001L;

    private static final ClientOptions OPTIONS =
            ClientOptions.defaults().withReconnect(false).withRequestTimeout(Duration.ofSeconds(20));

    private final Path peersHome;
    private final ProcessTable processes = new ProcessTable();
    private final OutageSwitch store = new OutageSwitch(new InMemoryPeerStore());
    private final PeersBroker broker;
    private final int uid;

    EmbeddedBroker(Path peersHome) {
        this.peersHome = peersHome;
        uid = currentUid();
        processes.start(AGENT_PID, 1, uid, 11);
        processes.start(ProcessHandle.current().pid(), AGENT_PID, uid, 22);
        try {
            Files.createDirectories(peersHome);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        broker = PeersBroker.builder()
                .listen(new UnixSocketListener(socket()))
                .store(store)
                .processes(processes)
                .lockFile(peersHome.resolve("broker.lock"))
                .sweepInterval(Duration.ofMinutes(10))
                .start();
    }

    Path socket() {
        return peersHome.resolve("peers.sock");
    }

    /** Makes its database unreachable ({@code true}) or reachable again, as a PostgreSQL outage does. */
    void databaseDown(boolean down) {
        store.down(down);
    }

    PeersBroker broker() {
        return broker;
    }

    /** This JVM's uid: what the socket reports for every client here. */
    int uid() {
        return uid;
    }

    ProcessTable processes() {
        return processes;
    }

    /** A client of this broker, not registered. */
    PeersClient connect() {
        return PeersClient.connect(new UnixSocketConnector(socket()), OPTIONS);
    }

    /** An agent's peer (Claude Code) whose agent process is {@link #AGENT_PID}, in {@code cwd}. */
    PeersClient agent(String name, Path cwd) {
        PeersClient client = connect();
        client.register(RegisterRequest.of(cwd.toString(), ClientType.CLAUDE_CODE)
                .withName(name)
                .withAgentPid(AGENT_PID));
        return client;
    }

    @Override
    public void close() {
        broker.close();
        store.close();
    }

    private static int currentUid() {
        return (int) new UnixSystem().getUid();
    }
}
