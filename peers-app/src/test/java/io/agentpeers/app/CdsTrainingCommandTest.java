package io.agentpeers.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agentpeers.cli.CliContext;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The build's class-data training run: quiet on stdout, no broker left behind, and not in the help. */
class CdsTrainingCommandTest {
    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        CliContext context = new CliContext(
                Map.of("HOME", dir.toString()),
                dir,
                dir,
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8),
                InputStream.nullInputStream(),
                Main.class.getName());
        return Main.commandLine(context).execute(args);
    }

    @Test
    void trainsStatusAndMcpInItsOwnHomeAndPrintsNothingOnStdout() throws Exception {
        Path home = dir.resolve("training");

        assertEquals(0, run("__cds-training", home.toString()), err.toString(StandardCharsets.UTF_8));

        String log = err.toString(StandardCharsets.UTF_8);
        assertTrue(log.contains("status exit 3 (no broker), 1 (training socket)"), log);
        assertTrue(log.contains("initialize and tools/list answered"), log);
        assertTrue(log.contains("broker status exit 0, stop exit 0"), "a broker's classes too: " + log);
        assertEquals("", out.toString(StandardCharsets.UTF_8));
        try (var left = Files.list(home)) {
            assertEquals(List.of(), left.toList(), "no socket, database or lock file left");
        }
        assertFalse(Files.exists(dir.resolve(".peers")), "the real PEERS_HOME is never touched");
    }

    @Test
    void eachPartTrainsOnlyItsOwnProcessesAndAnUnknownPartIsRefused() throws Exception {
        assertEquals(0, run("__cds-training", dir.resolve("b").toString(), "broker"));
        String broker = err.toString(StandardCharsets.UTF_8);
        assertTrue(broker.contains("requests exit 0, broker status exit 0, stop exit 0"), broker);
        assertFalse(broker.contains("mcp exit"), "no MCP server in the broker's part: " + broker);
        err.reset();

        assertEquals(0, run("__cds-training", dir.resolve("c").toString(), "clients"));
        String clients = err.toString(StandardCharsets.UTF_8);
        assertTrue(clients.contains("initialize and tools/list answered"), clients);
        assertFalse(clients.contains("broker status"), "no broker in the clients' part: " + clients);
        err.reset();

        assertEquals(2, run("__cds-training", dir.resolve("x").toString(), "dashboard"));
        assertTrue(
                err.toString(StandardCharsets.UTF_8).contains("PART is clients or broker, not dashboard"),
                err::toString);
        assertEquals("", out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void isHiddenFromTheHelp() {
        run("--help");
        assertFalse(out.toString(StandardCharsets.UTF_8).contains("__cds-training"));
    }
}
