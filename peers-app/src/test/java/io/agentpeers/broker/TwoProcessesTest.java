package io.agentpeers.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.agentpeers.app.EndsStrayBrokers;
import io.agentpeers.protocol.BrokerStats;
import io.agentpeers.protocol.client.ClientOptions;
import io.agentpeers.protocol.client.PeersClient;
import io.agentpeers.transport.unix.UnixSocketConnector;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two peers in two processes of their own ({@link PeerProcess}) find each other and talk through a
 * broker in a third, over the Unix socket and over TCP.
 */
@Tag("slow")
@ExtendWith(EndsStrayBrokers.class)
class TwoProcessesTest {
    private static final long STEP_SECONDS = 60;

    @TempDir
    Path dir;

    @Test
    void twoProcessesTalkThroughABrokerProcessOverUnixAndTcp() throws Exception {
        try (ChildBroker broker = ChildBroker.start(dir.resolve("home"), Map.of("PEERS_TCP", "127.0.0.1:0"))) {
            List<String> unix = List.of("unix", broker.socket().toString());
            List<String> tcp = List.of(
                    "tcp",
                    tcpAddress(broker),
                    Files.readString(dir.resolve("home/token")).strip());

            String viaUnix = converse(unix, "ann", "ben");
            assertTrue(
                    viaUnix.contains("GOT hello ben FROM ann VERIFIED true"),
                    "over Unix the kernel vouches for the sender's process: " + viaUnix);

            String viaTcp = converse(tcp, "tess", "tom");
            assertTrue(
                    viaTcp.contains("GOT hello tom FROM tess VERIFIED false"),
                    "over TCP there are no credentials to name a process: " + viaTcp);
        }
    }

    /** Runs an answerer and an asker; returns the answerer's output after checking the asker's. */
    private String converse(List<String> endpoint, String asker, String answerer) throws Exception {
        Process answering = start("answerer", answerer, asker, endpoint);
        Process asking = null;
        try {
            BufferedReader answererOut =
                    new BufferedReader(new InputStreamReader(answering.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("READY", answererOut.readLine(), "the answerer registered and subscribed");
            asking = start("asker", asker, answerer, endpoint);
            if (!asking.waitFor(STEP_SECONDS, TimeUnit.SECONDS)) {
                fail("the asker did not finish within " + STEP_SECONDS + " s");
            }
            String askerOut = new String(asking.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, asking.exitValue(), "the asker failed: " + askerOut + errors(asker));
            assertTrue(askerOut.contains("FOUND [" + answerer + "]"), askerOut);
            assertTrue(askerOut.contains("REPLY hello " + asker + " FROM " + answerer + " TO MINE"), askerOut);
            if (!answering.waitFor(STEP_SECONDS, TimeUnit.SECONDS)) {
                fail("the answerer did not finish within " + STEP_SECONDS + " s");
            }
            List<String> rest = new ArrayList<>();
            for (String line = answererOut.readLine(); line != null; line = answererOut.readLine()) {
                rest.add(line);
            }
            assertEquals(0, answering.exitValue(), "the answerer failed: " + rest + errors(answerer));
            return String.join("\n", rest);
        } finally {
            end(asking);
            end(answering);
        }
    }

    private Process start(String role, String self, String other, List<String> endpoint) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                ProcessHandle.current().info().command().orElse("java"),
                "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC",
                "-cp",
                System.getProperty("java.class.path"),
                PeerProcess.class.getName(),
                role,
                self,
                other));
        command.addAll(endpoint);
        return new ProcessBuilder(command)
                .redirectError(dir.resolve(self + ".err").toFile())
                .start();
    }

    /** What the peer named {@code self} wrote to stderr. */
    private String errors(String self) throws IOException {
        return "; stderr: " + Files.readString(dir.resolve(self + ".err"), StandardCharsets.UTF_8);
    }

    private static String tcpAddress(ChildBroker broker) {
        try (PeersClient client =
                PeersClient.connect(new UnixSocketConnector(broker.socket()), ClientOptions.defaults())) {
            BrokerStats stats = client.stats();
            for (String listener : stats.listeners()) {
                if (listener.startsWith("tcp:")) {
                    return listener.substring("tcp:".length());
                }
            }
            throw new IllegalStateException("the broker lists no TCP listener: " + stats);
        }
    }

    private static void end(Process process) throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(20, TimeUnit.SECONDS);
        }
    }
}
