package io.agentpeers.app;

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
import io.agentpeers.protocol.PeersPaths;
import io.agentpeers.protocol.client.ClientOptions;
import io.agentpeers.protocol.client.PeersClient;
import io.agentpeers.protocol.client.Results;
import io.agentpeers.store.postgres.PostgresServer;
import io.agentpeers.transport.unix.UnixSocketConnector;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
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
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path temp;

    private final PostgresServer server = PostgresServer.shared();
    private final String schema = server.freshSchema();
    private final List<Process> children = new ArrayList<>();

    @AfterEach
    void endChildren() throws InterruptedException {
        for (Process child : children) {
            child.destroyForcibly();
            child.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aKillOfAnotherBrokersPeerIsCarriedOutByThatBrokerAndEndsTheProcess() throws Exception {
        try (PeersBroker a = broker("a", Map.of()).start();
                PeersBroker b = broker("b", Map.of()).start();
                PeersClient alice = client("a");
                PeersClient watcher = client("b")) {
            alice.register(RegisterRequest.of("/w/a", ClientType.GENERIC).withName("alice"));
            List<BrokerEvent.PeerKilled> killedAtB = new CopyOnWriteArrayList<>();
            watcher.observe(event -> {
                if (event instanceof BrokerEvent.PeerKilled killed) {
                    killedAtB.add(killed);
                }
            });
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
                    strings("SELECT state || '|' || signalled || '|' || coalesce(refusal, '')"
                            + " FROM kill_requests"));
        }
    }

    @Test
    void aRefusalByTheHoldingBrokerComesBackWithItsReasonAndHost() throws Exception {
        try (PeersBroker a = broker("a", Map.of()).start();
                PeersBroker b = broker("b", Map.of()).start();
                PeersClient alice = client("a");
                PeersClient bob = client("b")) {
            alice.register(RegisterRequest.of("/w/a", ClientType.GENERIC).withName("alice"));
            // bob's connection is this JVM, its own agent: b's own process, which b never signals.
            bob.register(RegisterRequest.of("/w/b", ClientType.GENERIC).withName("bob"));

            KillRefusedException refused = assertThrows(KillRefusedException.class, () -> alice.kill("bob"));

            String reason = refused.getMessage();
            assertTrue(reason.contains("host-b") && reason.contains(brokerId("b")), "names the holder: " + reason);
            assertTrue(reason.contains("refused the kill"), reason);
            assertTrue(reason.contains("the broker's own process: never a kill target"), "b's own reason: " + reason);
            assertEquals(List.of("done|kill_refused"), strings("SELECT state || '|' || refusal FROM kill_requests"));
        }
    }

    @Test
    void theHolderJudgesTheSameUserByUserNameAndRefusesACallerWhoseNameDiffersOrIsUnknown() throws Exception {
        try (PeersBroker b = broker("b", Map.of()).start();
                PeersClient bob = client("b")) {
            bob.register(RegisterRequest.of("/w/b", ClientType.GENERIC).withName("bob"));
            String me = ProcessHandle.current().info().user().orElseThrow();
            // Requests as another broker would write them (a uid of its machine, a name that differs): b is rung.
            execute("INSERT INTO kill_requests (caller_id, caller_uid, caller_user, asked_by, victim_id, holder)"
                    + " VALUES ('callerid01', 4242, 'not-" + me + "', 'b-asker', '"
                    + bob.self().id() + "', '" + brokerId("b") + "'), ('callerid01', 4242"
                    + ", NULL, 'b-asker', '" + bob.self().id() + "', '" + brokerId("b") + "')");

            waitUntil(
                    () -> strings("SELECT state FROM kill_requests").equals(List.of("done", "done")), "b answers both");
            List<String> answers = strings("SELECT refusal || '|' || reason FROM kill_requests ORDER BY id");
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
        try (PeersBroker a = broker("a", Map.of("PEERS_LEASE_MS", "60000")).start();
                PeersClient alice = client("a")) {
            alice.register(RegisterRequest.of("/w/a", ClientType.GENERIC).withName("alice"));
            String ghost = "b-silent";
            execute("INSERT INTO brokers (id, host, started_at, heartbeat) VALUES ('" + ghost + "', 'host-silent', "
                    + System.currentTimeMillis() + ", " + System.currentTimeMillis() + ")");
            String victimId = PeerId.random().value();
            execute("INSERT INTO peers (id, name, conn_pid, conn_uid, conn_start_ticks, agent_pid, agent_uid,"
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
            assertEquals(List.of("expired"), strings("SELECT state FROM kill_requests"));

            // The silent broker comes back (same id): its bell rings at start and every poll, and takes nothing.
            Files.createDirectories(temp.resolve("silent"));
            Files.writeString(temp.resolve("silent").resolve(BrokerIdFile.NAME), ghost + "\n");
            Files.setPosixFilePermissions(
                    temp.resolve("silent").resolve(BrokerIdFile.NAME),
                    java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
            Files.setPosixFilePermissions(
                    temp.resolve("silent"), java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
            try (PeersBroker back =
                    broker("silent", Map.of("PEERS_LEASE_MS", "60000")).start()) {
                waitUntil(
                        () -> strings("SELECT state FROM peers WHERE id = '" + victimId + "'")
                                .equals(List.of("gone")),
                        "the broker is back (it marks its previous peers gone at start)");
                TimeUnit.MILLISECONDS.sleep(1_500); // three of its polls
                assertEquals(
                        List.of("expired|"),
                        strings("SELECT state || '|' || coalesce(taken_at::text, '')" + " FROM kill_requests"),
                        "never taken");
                assertTrue(sleeper.isAlive(), "nothing was signalled");
            }
        }
    }

    @Test
    void aRequestIsCarriedOutOnceWhileBothBrokersRingOverAndOver() throws Exception {
        try (PeersBroker a = broker("a", Map.of()).start();
                PeersBroker b = broker("b", Map.of()).start();
                PeersClient alice = client("a");
                PeersClient watcher = client("b")) {
            alice.register(RegisterRequest.of("/w/a", ClientType.GENERIC).withName("alice"));
            List<BrokerEvent.PeerKilled> killedAtB = new CopyOnWriteArrayList<>();
            watcher.observe(event -> {
                if (event instanceof BrokerEvent.PeerKilled killed) {
                    killedAtB.add(killed);
                }
            });
            Process victim = target("b", "victim");
            AtomicBoolean ringing = new AtomicBoolean(true);
            List<Throwable> failures = new CopyOnWriteArrayList<>();
            Thread ringer = new Thread(() -> {
                try (Connection c = connect();
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
            assertEquals(List.of("done"), strings("SELECT state FROM kill_requests"));
        }
    }

    @Test
    void twoBrokersTakingOneNameAtOnceAnswerNameTakenToOneOfThem() throws Exception {
        try (PeersBroker a = broker("a", Map.of()).start();
                PeersBroker b = broker("b", Map.of()).start()) {
            for (int round = 0; round < 15; round++) {
                String name = "race-" + round;
                List<Object> outcomes = new CopyOnWriteArrayList<>();
                CyclicBarrier start = new CyclicBarrier(2);
                List<PeersClient> clients = List.of(client("a"), client("b"));
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
                        paths(home).socket().toString(),
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

    private BrokerConfig broker(String name, Map<String, String> extra) {
        Path home = temp.resolve(name);
        Map<String, String> env = env(home);
        env.putAll(extra);
        return BrokerConfig.from(PeersPaths.from(env, home), env);
    }

    private PeersPaths paths(String name) {
        Path home = temp.resolve(name);
        return PeersPaths.from(env(home), home);
    }

    private Map<String, String> env(Path home) {
        Map<String, String> env = new HashMap<>();
        env.put("PEERS_HOME", home.toString());
        env.put(
                "PEERS_DB",
                "postgresql://" + server.user() + "@127.0.0.1:" + server.port() + "/" + server.database() + "?schema="
                        + schema);
        env.put("PGPASSWORD", server.password());
        env.put("PEERS_LEASE_MS", "1500");
        env.put("PEERS_POLL_MS", "500");
        env.put("PEERS_HOST", "host-" + home.getFileName());
        return env;
    }

    private PeersClient client(String name) {
        return PeersClient.connect(
                new UnixSocketConnector(paths(name).socket()),
                ClientOptions.defaults().withReconnect(false).withRequestTimeout(Duration.ofSeconds(30)));
    }

    private String brokerId(String name) throws Exception {
        return Files.readString(temp.resolve(name).resolve(BrokerIdFile.NAME)).strip();
    }

    private Connection connect() throws SQLException {
        return DriverManager.getConnection(
                "jdbc:postgresql://127.0.0.1:" + server.port() + "/" + server.database() + "?currentSchema=" + schema,
                server.user(),
                server.password());
    }

    private void execute(String sql) throws SQLException {
        try (Connection c = connect();
                Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private List<String> strings(String sql) {
        try (Connection c = connect();
                Statement s = c.createStatement();
                var rs = s.executeQuery(sql)) {
            List<String> out = new ArrayList<>();
            while (rs.next()) {
                out.add(rs.getString(1));
            }
            return out;
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
    }

    private static void waitUntil(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + WAIT.toSeconds() + " s: " + what);
            }
            TimeUnit.MILLISECONDS.sleep(50);
        }
    }
}
