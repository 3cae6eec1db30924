package io.agentpeers.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agentpeers.app.EndsStrayBrokers;
import io.agentpeers.transport.unix.SocketFileState;
import io.agentpeers.transport.unix.SocketFiles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** `broker start` leaves a detached broker that answers; `broker stop` ends it; `broker run` stops on SIGTERM. */
@Tag("process")
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
            assertTrue(ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true), "the broker process ended");
            assertEquals(3, cli.run("status").exit());
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
