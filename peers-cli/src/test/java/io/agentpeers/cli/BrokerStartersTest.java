package io.agentpeers.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agentpeers.local.BrokerStartFailedException;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which broker stops when idle: one the MCP server starts on its own does (10 minutes, or
 * PEERS_IDLE_TIMEOUT), one from {@code peers broker start} does not. The "broker" is a launcher script that
 * leaves its environment in a file and exits.
 */
@Timeout(30)
class BrokerStartersTest {
    @TempDir
    Path home;

    private Path dump;
    private Path launcher;

    private Map<String, String> env() throws Exception {
        dump = home.resolve("env");
        launcher = InProcessCli.fakeTool(home, "peers", "env > '" + dump + "'\nexit 3");
        Map<String, String> env = new HashMap<>();
        env.put("HOME", home.toString());
        env.put("PEERS_HOME", home.resolve("p").toString());
        env.put("PEERS_LAUNCHER", launcher.toString());
        return env;
    }

    private static CliContext context(Map<String, String> env, ByteArrayOutputStream err) {
        PrintStream stream = new PrintStream(err, true, StandardCharsets.UTF_8);
        Path userHome = Path.of(env.get("HOME"));
        return new CliContext(
                env, userHome, userHome, stream, stream, InputStream.nullInputStream(), InProcessCli.MAIN_CLASS);
    }

    private String autoStart(Map<String, String> env) throws Exception {
        CliContext context = context(env, new ByteArrayOutputStream());
        assertThrows(
                BrokerStartFailedException.class,
                () -> BrokerAccess.brokerStarter(context, context.paths()).ensureRunning(Duration.ofSeconds(10)));
        return Files.readString(dump);
    }

    @Test
    void theMcpServersBrokerStopsAfterTenIdleMinutesOrPeersIdleTimeout() throws Exception {
        Map<String, String> env = env();
        assertTrue(autoStart(env).contains("PEERS_IDLE_TIMEOUT=600\n"), "10 minutes by default");

        env.put("PEERS_IDLE_TIMEOUT", "45");
        assertTrue(autoStart(env).contains("PEERS_IDLE_TIMEOUT=45\n"));

        env.put("PEERS_IDLE_TIMEOUT", "0");
        assertTrue(autoStart(env).contains("PEERS_IDLE_TIMEOUT=0\n"), "0: never");

        env.put("PEERS_IDLE_TIMEOUT", "soon");
        CliFailure bad = assertThrows(
                CliFailure.class, () -> BrokerAccess.brokerStarter(context(env, new ByteArrayOutputStream()), null));
        assertEquals("PEERS_IDLE_TIMEOUT must be a whole number of seconds, not 'soon'", bad.getMessage());
    }

    @Test
    void aBrokerStartedByHandNeverStopsWhenIdle() throws Exception {
        env(); // the launcher
        InProcessCli.Result start = new InProcessCli(home, home.resolve("p"))
                .env("PEERS_LAUNCHER", launcher.toString())
                .run("broker", "start");
        assertEquals(1, start.exit(), start::toString);
        assertFalse(Files.readString(dump).contains("PEERS_IDLE_TIMEOUT="), Files.readString(dump));
        assertTrue(start.err().contains("the broker exited with code 3 at start"), start::toString);
    }
}
