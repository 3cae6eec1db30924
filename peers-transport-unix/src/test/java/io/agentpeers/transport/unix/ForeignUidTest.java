package io.agentpeers.transport.unix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.agentpeers.broker.PeersBroker;
import io.agentpeers.protocol.PrivateFiles;
import io.agentpeers.store.memory.InMemoryPeerStore;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A caller of another uid is refused by the broker's own check of the socket's peer credentials. The
 * socket is opened to everyone for the test, so that file modes do not refuse {@code nobody} first.
 * The client is python3 run as {@code nobody} through setpriv (a JVM as nobody could not read root's
 * Maven repository).
 */
class ForeignUidTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String HELLO =
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"hello\",\"params\":{\"protocol\":1,\"client\":\"py/1\"}}";
    private static final int NOBODY = 65534;

    @TempDir
    Path dir;

    @Test
    void aCallerOfAnotherUidIsRefusedByTheBrokerWithNotAuthorized() throws Exception {
        Assumptions.assumeTrue(uid() == 0, "needs root to run a client as nobody (running as uid " + uid() + ")");
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")), "needs /usr/bin/setpriv");
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/python3")), "needs /usr/bin/python3");
        Path script = dir.resolve("raw_client.py");
        try (InputStream in = ForeignUidTest.class.getResourceAsStream("/raw_client.py")) {
            Files.write(script, in.readAllBytes());
        }
        Path folder = dir.resolve("run");
        Path socket = folder.resolve("peers.sock");
        try (InMemoryPeerStore store = new InMemoryPeerStore();
                PeersBroker broker = PeersBroker.builder()
                        .listen(new UnixSocketListener(socket))
                        .store(store)
                        .start()) {
            // Open only the test's own folders (never what holds them, e.g. /tmp) and the socket file.
            for (Path path : List.of(dir, folder)) {
                Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rwxrwxrwx"));
            }
            Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rw-r--r--"));
            Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-rw-rw-"));

            List<String> own = run(List.of("/usr/bin/python3", script.toString(), socket.toString(), HELLO));
            assertEquals("connected", own.get(0), own.toString());
            assertEquals(
                    1,
                    JSON.readTree(own.get(1)).path("result").path("protocol").asInt(),
                    "the same script as the broker's uid is served: " + own);

            List<String> lines = run(List.of(
                    "/usr/bin/setpriv",
                    "--reuid=nobody",
                    "--regid=nogroup",
                    "--clear-groups",
                    "/usr/bin/python3",
                    script.toString(),
                    socket.toString(),
                    HELLO));
            assertEquals("connected", lines.get(0), "the file modes let nobody connect: " + lines);
            JsonNode error = null;
            for (String line : lines.subList(1, lines.size())) {
                if (line.startsWith("{") && JSON.readTree(line).has("error")) {
                    error = JSON.readTree(line).get("error");
                    break;
                }
            }
            assertNotNull(error, "the broker answered with an error line: " + lines);
            assertTrue(
                    error.path("message").asText().contains("uid " + NOBODY),
                    "the broker's uid check refused: " + error);
            assertEquals(
                    "not_authorized", error.path("data").path("code").asText(), "docs/protocol.md, Identity: " + error);
            assertTrue(lines.get(lines.size() - 1).startsWith("eof"), "then the connection closes: " + lines);
        }
    }

    private static List<String> run(List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            assertTrue(process.waitFor(30, TimeUnit.SECONDS), "the python client finishes");
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return new ArrayList<>(output.lines().toList());
        } finally {
            process.destroyForcibly();
        }
    }

    private static int uid() throws IOException {
        return PrivateFiles.currentUid();
    }
}
