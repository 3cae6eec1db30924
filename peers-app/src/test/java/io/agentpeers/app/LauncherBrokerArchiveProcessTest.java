package io.agentpeers.app;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code peers broker run} through the root script maps the broker's own class-data archive
 * (peers-broker.jsa), not the clients' one. Tagged slow: it starts a broker process.
 */
@Tag("slow")
@ExtendWith(EndsStrayBrokers.class)
class LauncherBrokerArchiveProcessTest {
    private static final Path LAUNCHER =
            Path.of("").toAbsolutePath().getParent().resolve("peers");

    @TempDir
    Path home;

    @Test
    void aBrokerMapsItsOwnArchive() throws Exception {
        Path target = LAUNCHER.getParent().resolve("peers-app/target");
        Path cds = home.resolve("broker-cds.log");
        ProcessBuilder builder =
                new ProcessBuilder(List.of(LAUNCHER.toString(), "broker", "run")).directory(home.toFile());
        Map<String, String> env = builder.environment();
        env.keySet().removeIf(name -> name.startsWith("PEERS_"));
        env.put("HOME", home.toString());
        env.put("PEERS_HOME", home.resolve("p").toString());
        env.put(
                "JAVA_HOME",
                Path.of(ProcessHandle.current().info().command().orElseThrow())
                        .getParent()
                        .getParent()
                        .toString());
        env.put("PEERS_JAVA_OPTS", "-Xlog:cds=info:file=" + cds);
        Process broker = builder.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        try {
            Path socket = home.resolve("p/peers.sock");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!Files.exists(socket) && broker.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertTrue(Files.exists(socket), "the broker listens");
        } finally {
            // The script execs the JVM: the process is the broker. SIGTERM, then SIGKILL.
            broker.destroy();
            if (!broker.waitFor(10, TimeUnit.SECONDS)) {
                broker.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
        if (LauncherProcessTest.fresh(target.resolve("peers-broker.jsa"), target.resolve("peers.jar"))) {
            String log = Files.readString(cds);
            assertTrue(log.contains("peers-broker.jsa") && log.contains("Mapped static"), log);
        }
    }
}
