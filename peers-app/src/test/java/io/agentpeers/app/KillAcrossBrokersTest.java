package io.agentpeers.app;

import static io.agentpeers.app.SharedPostgresHomes.waitUntil;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agentpeers.broker.PeersBroker;
import io.agentpeers.core.ClientType;
import io.agentpeers.core.KillRefusedException;
import io.agentpeers.core.KillUnansweredException;
import io.agentpeers.core.NameTakenException;
import io.agentpeers.core.PeerId;
import io.agentpeers.core.ProcessRef;
import io.agentpeers.core.RegisterRequest;
import io.agentpeers.process.ProcfsProcessControl;
import io.agentpeers.protocol.BrokerEvent;
import io.agentpeers.protocol.client.PeersClient;
import io.agentpeers.protocol.client.Results;
import io.agentpeers.store.postgres.PostgresServer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kill} of a peer another broker holds, carried out by that broker, and names taken by two brokers at
 * once. Two (or three) brokers in this JVM on one schema of the test PostgreSQL server, as in {@link
 * SharedPostgresBrokersTest}; the victims are real child processes ({@link KillTarget}), each its own agent,
 * ended by pid whatever happens.
 */
@Tag("postgres")
class KillAcrossBrokersTest {
    private static final Duration WAIT = SharedPostgresHomes.WAIT;

    @TempDir
    Path temp;

    private final PostgresServer server = PostgresServer.shared();
    private final List<Process> children = new ArrayList<>();
    private SharedPostgresHomes homes;

    @BeforeEach
    void homes() {
        homes = new SharedPostgresHomes(temp, server, server.freshSchema());
    }

    @AfterEach
    void endChildren() throws InterruptedException {
        for (Process child : children) {
            child.destroyForcibly();
            child.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aKillOfAnotherBrokersPeerIsCarriedOutByThatBrokerAndEndsTheProcess() throws Exception {
        try (PeersBroker a = homes.broker("a").start();
                PeersBroker b = homes.broker("b").start();
                PeersClient alice = homes.client("a");
                PeersClient watcher = homes.client("b")) {
            alice.register(RegisterRequest.of("/w/a", ClientType.GENERIC).withName("alice"));
            List<BrokerEvent.PeerKilled> killedAtB = killsSeenBy(watcher);
            Process victim = target("b", "victim");

            Results.Killed killed = alice.kill("victim");

            assertTrue(killed.signalled(), "b sent SIGTERM");
            assertEquals("victim", killed.peer().name());
            assertTrue(victim.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS), "the victim's process ended");
            assertFalse(victim.isAlive());
            waitUntil(() -> killedAtB.size() == 1, "b's observers hear of the kill");
            assertEquals(alice.self().id(), killedAtB.get(0).by());
            assertEquals(
                    List.of("done|true|"),
                    homes.strings("SELECT state || '|' || signalled || '|' || coalesce(refusal, '')"
                            + " FROM kill_requests"));
        }
    }

    @Test
    void aRefusalByTheHoldingBrokerComesBackWithItsReasonAndHost() throws Exception {
        try (PeersBroker a = homes.broker("a").start();
                PeersBroker b = homes.broker("b").start();
                PeersClient alice = homes.client("a");
                PeersClient bob = homes.client("b")) {
            alice.register(RegisterRequest.of("/w/a", ClientType.GENERIC).withName("alice"));
            // bob's connection is this JVM, its own agent: b's own process, which b never signals.
            bob.register(RegisterRequest.of("/w/b", ClientType.GENERIC).withName("bob"));

            KillRefusedException refused = assertThrows(KillRefusedException.class, () -> alice.kill("bob"));

            String reason = refused.getMessage();
            assertTrue(
                    reason.contains("host-b") && reason.contains(homes.brokerId("b")), "names the holder: " + reason);
            assertTrue(reason.contains("refused the kill"), reason);
            assertTrue(reason.contains("the broker's own process: never a kill target"), "b's own reason: " + reason);
            assertEquals(
                    List.of("done|kill_refused"), homes.strings("SELECT state || '|' || refusal FROM kill_requests"));
        }
    }

    @Test
    void theHolderJudgesTheSameUserByUserNameAndRefusesACallerWhoseNameDiffersOrIsUnknown() throws Exception {
        try (PeersBroker b = homes.broker("b").start();
                PeersClient bob = homes.client("b")) {
            bob.register(RegisterRequest.of("/w/b", ClientType.GENERIC).withName("bob"));
            String me = ProcessHandle.current().info().user().orElseThrow();
            // Requests as another broker would write them (a uid of its machine, a name that differs): b is rung.
            homes.execute("INSERT INTO kill_requests (caller_id, caller_uid, caller_user, asked_by, victim_id, holder)"
                    + " VALUES ('callerid01', 4242, 'not-" + me + "', 'b-asker', '"
                    + bob.self().id() + "', '" + homes.brokerId("b") + "'), ('callerid01', 4242"
                    + ", NULL, 'b-asker', '" + bob.self().id() + "', '" + homes.brokerId("b") + "')");

            waitUntil(
                    () -> homes.strings("SELECT state FROM kill_requests").equals(List.of("done", "done")),
                    "b answers both");
            List<String> answers = homes.strings("SELECT refusal || '|' || reason FROM kill_requests ORDER BY id");
            assertEquals(
                    "not_authorized|bob belongs to another user (" + me + ", the caller is not-" + me + ")",
                    answers.get(0),
                    "the same uid is not the same user across machines");
            assertTrue(answers.get(1).startsWith("not_authorized|"), answers.get(1));
            assertTrue(answers.get(1).contains("has no name here"), answers.get(1));
        }
    }

    @Test
    void aKillAskedOfABrokerThatStoppedBeatingTimesOutAndIsNeverCarriedOutLater() throws Exception {
        Process sleeper = new ProcessBuilder("sleep", "120").start();
        children.add(sleeper);
        ProcessRef ref =
                new ProcfsProcessControl().inspect(sleeper.pid()).orElseThrow().ref();
        // A long lease for a: the silent broker's peer stays live while the request waits.
        try (PeersBroker a =
                        homes.broker("a", Map.of("PEERS_LEASE_MS", "60000")).start();
                PeersClient alice = homes.client("a")) {
            alice.register(RegisterRequest.of("/w/a", ClientType.GENERIC).withName("alice"));
            String ghost = "b-silent";
            homes.execute("INSERT INTO brokers (id, host, started_at, heartbeat) VALUES ('" + ghost
                    + "', 'host-silent', " + System.currentTimeMillis() + ", " + System.currentTimeMillis() + ")");
            String victimId = PeerId.random().value();
            homes.execute("INSERT INTO peers (id, name, conn_pid, conn_uid, conn_start_ticks, agent_pid, agent_uid,"
                    + " agent_start_ticks, cwd, client_type, registered_at, last_seen, state, broker_id) VALUES ('"
                    + victimId + "', 'sleeper', " + ref.pid() + ", " + ref.uid() + ", " + ref.startTicks() + ", "
                    + ref.pid() + ", " + ref.uid() + ", " + ref.startTicks() + ", '/w/silent', 'generic', "
                    + System.currentTimeMillis() + ", " + System.currentTimeMillis() + ", 'live', '" + ghost + "')");

            KillUnansweredException unanswered =
                    assertThrows(KillUnansweredException.class, () -> alice.kill("sleeper"));

            String message = unanswered.getMessage();
            assertTrue(message.contains(ghost + " on host-silent"), message);
            assertTrue(message.contains("did not take the request within 5 s"), message);
            assertTrue(message.contains("never be carried out later"), message);
            assertEquals(List.of("expired"), homes.strings("SELECT state FROM kill_requests"));

            // The silent broker comes back (same id): its bell rings at start and every poll, and takes nothing.
            homes.homeWithBrokerId("silent", ghost);
            try (PeersBroker back =
                    homes.broker("silent", Map.of("PEERS_LEASE_MS", "60000")).start()) {
                waitUntil(
                        () -> homes.strings("SELECT state FROM peers WHERE id = '" + victimId + "'")
                                .equals(List.of("gone")),
                        "the broker is back (it marks its previous peers gone at start)");
                TimeUnit.MILLISECONDS.sleep(1_500); // three of its polls
                assertEquals(
                        List.of("expired|"),
                        homes.strings("SELECT state || '|' || coalesce(taken_at::text, '')" + " FROM kill_requests"),
                        "never taken");
                assertTrue(sleeper.isAlive(), "nothing was signalled");
            }
        }
    }

    @Test
    void aRequestIsCarriedOutOnceWhileBothBrokersRingOverAndOver() throws Exception {
        try (PeersBroker a = homes.broker("a").start();
                PeersBroker b = homes.broker("b").start();
                PeersClient alice = homes.client("a");
                PeersClient watcher = homes.client("b")) {
            alice.register(RegisterRequest.of("/w/a", ClientType.GENERIC).withName("alice"));
            List<BrokerEvent.PeerKilled> killedAtB = killsSeenBy(watcher);
            Process victim = target("b", "victim");
            AtomicBoolean ringing = new AtomicBoolean(true);
            List<Throwable> failures = new CopyOnWriteArrayList<>();
            Thread ringer = new Thread(() -> {
                try (Connection c = homes.connect();
                        Statement s = c.createStatement()) {
                    for (int i = 0; i < 2_000 && ringing.get(); i++) {
                        s.execute("SELECT pg_notify('peers_' || md5(current_schema() || '/' || id), '') FROM brokers");
                        TimeUnit.MILLISECONDS.sleep(2);
                    }
                } catch (Throwable e) {
                    failures.add(e);
                }
            });
            ringer.start();
            Results.Killed killed;
            try {
                TimeUnit.MILLISECONDS.sleep(100);
                killed = alice.kill("victim");
                TimeUnit.MILLISECONDS.sleep(1_000); // more rings after the answer
            } finally {
                ringing.set(false);
                ringer.join(10_000);
            }
            assertEquals(List.of(), failures);
            assertTrue(killed.signalled());
            assertTrue(victim.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS), "the victim's process ended");
            waitUntil(() -> !killedAtB.isEmpty(), "b's observers hear of the kill");
            TimeUnit.MILLISECONDS.sleep(500);
            assertEquals(1, killedAtB.size(), "carried out once: " + killedAtB);
            assertEquals(List.of("done"), homes.strings("SELECT state FROM kill_requests"));
        }
    }

    @Test
    void twoBrokersTakingOneNameAtOnceAnswerNameTakenToOneOfThem() throws Exception {
        try (PeersBroker a = homes.broker("a").start();
                PeersBroker b = homes.broker("b").start()) {
            for (int round = 0; round < 15; round++) {
                String name = "race-" + round;
                List<Object> outcomes = new CopyOnWriteArrayList<>();
                CyclicBarrier start = new CyclicBarrier(2);
                List<PeersClient> clients = List.of(homes.client("a"), homes.client("b"));
                try {
                    List<CompletableFuture<Void>> both = new ArrayList<>();
                    for (PeersClient client : clients) {
                        both.add(CompletableFuture.runAsync(() -> {
                            try {
                                client.register(RegisterRequest.of("/w", ClientType.GENERIC));
                                start.await(10, TimeUnit.SECONDS);
                                // A rename: the same index, and the path that races most (no resume lookups first).
                                client.setName(name);
                                outcomes.add("ok");
                            } catch (Throwable e) {
                                outcomes.add(e);
                            }
                        }));
                    }
                    CompletableFuture.allOf(both.toArray(new CompletableFuture[0]))
                            .get(60, TimeUnit.SECONDS);
                } finally {
                    clients.forEach(PeersClient::close);
                }
                assertEquals(1, outcomes.stream().filter("ok"::equals).count(), "one takes it: " + outcomes);
                Object other = outcomes.stream()
                        .filter(o -> !"ok".equals(o))
                        .findFirst()
                        .orElseThrow();
                assertTrue(other instanceof NameTakenException, "the other hears name_taken: " + other);
            }
        }
    }

    // ---- helpers

    /** The {@code peer_killed} events {@code watcher}'s broker tells its observers from now on. */
    private static List<BrokerEvent.PeerKilled> killsSeenBy(PeersClient watcher) {
        List<BrokerEvent.PeerKilled> seen = new CopyOnWriteArrayList<>();
        watcher.observe(event -> {
            if (event instanceof BrokerEvent.PeerKilled killed) {
                seen.add(killed);
            }
        });
        return seen;
    }

    /** A {@link KillTarget} registered on broker {@code home} under {@code name}, once it said READY. */
    private Process target(String home, String name) throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Path log = temp.resolve(name + ".log");
        Process process = new ProcessBuilder(
                        java.toString(),
                        "-Xshare:auto",
                        "-XX:TieredStopAtLevel=1",
                        "-Xmx64m",
                        "-cp",
                        System.getProperty("java.class.path"),
                        KillTarget.class.getName(),
                        homes.paths(home).socket().toString(),
                        name)
                .redirectError(log.toFile())
                .start();
        children.add(process);
        CompletableFuture<String> ready = CompletableFuture.supplyAsync(() -> {
            try {
                return new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))
                        .readLine();
            } catch (java.io.IOException e) {
                return e.toString();
            }
        });
        String line = ready.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertEquals("READY", line, () -> "the target started: " + readQuietly(log));
        return process;
    }

    private static String readQuietly(Path file) {
        try {
            return Files.readString(file);
        } catch (java.io.IOException e) {
            return e.toString();
        }
    }
}
