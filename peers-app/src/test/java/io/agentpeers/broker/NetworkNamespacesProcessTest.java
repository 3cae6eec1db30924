package io.agentpeers.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.agentpeers.app.EndsStrayBrokers;
import io.agentpeers.core.ClientType;
import io.agentpeers.core.RegisterRequest;
import io.agentpeers.core.Scope;
import io.agentpeers.protocol.Envelope;
import io.agentpeers.protocol.PeerInfo;
import io.agentpeers.protocol.client.ClientOptions;
import io.agentpeers.protocol.client.PeersClient;
import io.agentpeers.store.postgres.PostgresServer;
import io.agentpeers.testkit.PostgresCluster;
import io.agentpeers.transport.unix.UnixSocketConnector;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two broker processes as two machines: each in a network namespace of its own whose only way out is a veth
 * pair to this one, where a PostgreSQL server listens on the pair's far ends; each under a host name of its own
 * (a UTS namespace), which the broker finds by itself (no {@code PEERS_HOST}). Their peers see each other in
 * scope {@code network} and not in {@code machine}, with the other machine's host name, and write to each other
 * by name with pushes. Skipped, saying why, without root or iproute2.
 */
@Tag("process")
@Tag("postgres")
@ExtendWith(EndsStrayBrokers.class)
class NetworkNamespacesProcessTest {
    private static final List<String> HOSTS = List.of("peers-m1", "peers-m2");

    @TempDir
    Path temp;

    @Test
    void twoBrokersInNetworkNamespacesOfTheirOwnShareTheDatabaseOverTheirVethPairsOnly() throws Exception {
        String why = NetworkNamespaces.whyUnavailable().orElse(null);
        assumeTrue(why == null, () -> "no network namespaces here: " + why);
        try (NetworkNamespaces machines = NetworkNamespaces.create(2);
                PostgresServer server = PostgresServer.dedicated(new PostgresCluster.Settings(
                        List.of("127.0.0.1", machines.hostAddress(0), machines.hostAddress(1)),
                        List.of(machines.subnet(0), machines.subnet(1)),
                        false))) {
            int port = server.port();
            assertNotEquals(
                    0,
                    machines.exitCodeInside(0, "/bin/bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/" + port),
                    "inside a namespace, loopback is its own: the server is not there");
            assertNotEquals(
                    0,
                    machines.exitCodeInside(
                            0, "/bin/bash", "-c", "exec 3<>/dev/tcp/" + machines.hostAddress(1) + "/" + port),
                    "nor over the other machine's pair");
            assertEquals(
                    0,
                    machines.exitCodeInside(
                            0, "/bin/bash", "-c", "exec 3<>/dev/tcp/" + machines.hostAddress(0) + "/" + port),
                    "only over its own pair");

            String schema = server.freshSchema();
            List<ChildBroker> brokers = new ArrayList<>();
            List<PeersClient> clients = new ArrayList<>();
            try {
                for (int i = 0; i < HOSTS.size(); i++) {
                    SharedSchema db = new SharedSchema(server, schema, machines.hostAddress(i));
                    brokers.add(ChildBroker.start(
                            home(i),
                            machines.inside(i, HOSTS.get(i), temp, ChildBroker.brokerCommand()),
                            db.brokerEnv(null)));
                }
                PeersClient alice = connect(0, clients);
                PeersClient bob = connect(1, clients);
                alice.register(RegisterRequest.of("/w/m1", ClientType.GENERIC).withName("alice"));
                bob.register(RegisterRequest.of("/w/m2", ClientType.GENERIC).withName("bob"));

                List<PeerInfo> seenByAlice = alice.listPeers(Scope.NETWORK);
                assertEquals(
                        List.of("bob"), seenByAlice.stream().map(PeerInfo::name).toList());
                assertEquals("peers-m2", seenByAlice.get(0).broker().host(), "bob's machine, by its own name");
                assertEquals(
                        "peers-m1", bob.listPeers(Scope.NETWORK).get(0).broker().host());
                assertEquals(List.of(), alice.listPeers(Scope.MACHINE), "machine: alice's machine has nobody else");
                assertEquals(List.of(), bob.listPeers(Scope.MACHINE));

                BlockingQueue<Envelope> toBob = new LinkedBlockingQueue<>();
                BlockingQueue<Envelope> toAlice = new LinkedBlockingQueue<>();
                bob.subscribe(toBob::add);
                alice.subscribe(toAlice::add);
                long question = alice.send("bob", "from m1").message().id();
                Envelope got = toBob.poll(30, TimeUnit.SECONDS);
                assertEquals(question, got == null ? null : got.message().id(), "bob's push, rung across the pairs");
                long answer = bob.send("alice", "from m2", question).message().id();
                Envelope back = toAlice.poll(30, TimeUnit.SECONDS);
                assertEquals(answer, back == null ? null : back.message().id(), "alice's push");

                SharedSchema rows = new SharedSchema(server, schema, "127.0.0.1");
                assertEquals(HOSTS, rows.strings("SELECT host FROM brokers ORDER BY host"));
                for (int i = 0; i < HOSTS.size(); i++) {
                    String id = Files.readString(home(i).resolve("broker-id")).strip();
                    assertEquals(
                            List.of(machines.address(i)),
                            rows.strings("SELECT DISTINCT host(client_addr) FROM pg_stat_activity"
                                    + " WHERE application_name = 'peers broker " + id + "'"),
                            HOSTS.get(i) + "'s connections come from its own end of its pair");
                }
            } finally {
                clients.forEach(PeersClient::close);
                brokers.forEach(ChildBroker::close);
            }
        }
    }

    private Path home(int machine) {
        return temp.resolve("m" + (machine + 1));
    }

    private PeersClient connect(int machine, List<PeersClient> clients) {
        PeersClient client = PeersClient.connect(
                new UnixSocketConnector(home(machine).resolve("peers.sock")),
                ClientOptions.defaults().withReconnect(false).withRequestTimeout(Duration.ofSeconds(30)));
        clients.add(client);
        return client;
    }
}
