package io.agentpeers.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agentpeers.app.EndsStrayBrokers;
import io.agentpeers.app.Main;
import io.agentpeers.local.ProcessEnd;
import io.agentpeers.protocol.PeersPaths;
import io.agentpeers.protocol.client.PeersClient;
import io.agentpeers.transport.unix.SocketFileState;
import io.agentpeers.transport.unix.SocketFiles;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** `broker start` leaves a detached broker that answers; `broker stop` ends it; `broker run` stops on SIGTERM. */
@Tag("slow")
@ExtendWith(EndsStrayBrokers.class)
class BrokerLifecycleTest {
    @TempDir
    Path home;

    @Test
    void startThenStop() throws Exception {
        Path peersHome = home.resolve("p");
        CliProcess cli = new CliProcess(home, peersHome);
        Long pid = null;
        try {
            CliProcess.Result start = cli.run("broker", "start", "--json");
            assertEquals(0, start.exit(), start::toString);
            assertTrue(start.json().path("started").asBoolean(), start::toString);
            pid = start.json().path("broker").path("pid").asLong();
            assertEquals(SocketFileState.LIVE, SocketFiles.probe(peersHome.resolve("peers.sock")));

            CliProcess.Result again = cli.run("broker", "start");
            assertEquals(0, again.exit(), again::toString);
            assertTrue(again.out().contains("already runs"), again::toString);

            CliProcess.Result stop = cli.run("kill-broker", "--json");
            assertEquals(0, stop.exit(), stop::toString);
            assertTrue(stop.json().path("stopped").asBoolean());
            assertTrue(ProcessEnd.ended(pid), "the broker process ended (a zombie until its adopter reaps it)");
            assertEquals(3, cli.run("status").exit());
        } finally {
            if (pid != null) {
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
    }

    @Test
    void aBadSettingIsReportedByBrokerStartItself() throws Exception {
        CliProcess cli = new CliProcess(home, home.resolve("p")).env("PEERS_RATE", "garbage");
        CliProcess.Result start = cli.run("broker", "start");
        assertEquals(1, start.exit(), start::toString);
        // The last line; a slow machine may say before it what the start waits for.
        String last = start.err().strip().lines().reduce((a, b) -> b).orElse("");
        assertTrue(
                last.startsWith("peers: the broker could not start: PEERS_RATE must look like 600/200"
                        + " (per minute/burst), not 'garbage' (log: "),
                start::toString);
    }

    @Test
    void aSecondHomeGivenTheSameDatabaseIsRefused() throws Exception {
        Path database = home.resolve("shared").resolve("same.db");
        CliProcess first = new CliProcess(home, home.resolve("a"));
        CliProcess second = new CliProcess(home, home.resolve("b"));
        Long pid = null;
        try {
            CliProcess.Result started = first.run("broker", "start", "--db", database.toString(), "--json");
            assertEquals(0, started.exit(), started::toString);
            pid = started.json().path("broker").path("pid").asLong();

            CliProcess.Result refused = second.run("broker", "start", "--db", database.toString());
            assertEquals(1, refused.exit(), refused::toString);
            assertTrue(
                    refused.err()
                            .contains("peers: the broker could not start: another broker (pid " + pid
                                    + ") uses the database " + database + ": "),
                    refused::toString);
            assertEquals(
                    SocketFileState.ABSENT, SocketFiles.probe(home.resolve("b").resolve("peers.sock")));
        } finally {
            if (pid != null) {
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
    }

    @Test
    void aBrokerTheMcpServerStartsSaysSoAndStopsOnceIdle() throws Exception {
        Path peersHome = home.resolve("p");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream stream = new PrintStream(err, true, StandardCharsets.UTF_8);
        CliContext context = new CliContext(
                Map.of("HOME", home.toString(), "PEERS_HOME", peersHome.toString(), "PEERS_IDLE_TIMEOUT", "2"),
                home,
                home,
                stream,
                stream,
                InputStream.nullInputStream(),
                Main.class.getName());
        PeersPaths paths = context.paths();
        Long pid = null;
        try {
            assertTrue(BrokerAccess.brokerStarter(context, paths).ensureRunning(Duration.ofSeconds(30)));
            // Before the idle timeout (counted from the broker's start) passes, as an MCP server connects.
            try (PeersClient client = BrokerAccess.connect(paths, false)) {
                pid = client.stats().pid();
                Thread.sleep(2_500); // longer than the idle timeout: a connection keeps it
                assertEquals(pid, client.stats().pid());
            }
            String notice = err.toString(StandardCharsets.UTF_8);
            assertTrue(
                    notice.contains("peers: started a broker (pid " + pid + ") for PEERS_HOME " + peersHome + " on "
                            + paths.socket() + "; it stops after 2 s without connections (PEERS_IDLE_TIMEOUT)"),
                    notice);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!ProcessEnd.ended(pid) && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertTrue(ProcessEnd.ended(pid), "the broker stopped once its last connection was gone");
            assertEquals(SocketFileState.ABSENT, SocketFiles.probe(paths.socket()));
        } finally {
            if (pid != null) {
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
    }

    @Test
    void runInTheForegroundStopsCleanlyOnSigterm() throws Exception {
        Path peersHome = home.resolve("p");
        CliProcess cli = new CliProcess(home, peersHome);
        Process run =
                cli.start("broker", "run", "--db", peersHome.resolve("other.db").toString());
        try {
            String banner = new java.io.BufferedReader(
                            new java.io.InputStreamReader(run.getInputStream(), StandardCharsets.UTF_8))
                    .readLine();
            assertTrue(banner != null && banner.contains("other.db"), "broker run says where it listens: " + banner);
            assertEquals(0, cli.run("status").exit());
            run.destroy(); // SIGTERM
            assertTrue(run.waitFor(20, TimeUnit.SECONDS));
            assertTrue(Files.exists(peersHome.resolve("other.db")));
            assertEquals(
                    SocketFileState.ABSENT,
                    SocketFiles.probe(peersHome.resolve("peers.sock")),
                    "the shutdown hook closed the listener and removed the socket file");
        } finally {
            CliProcess.end(run);
        }
    }
}
