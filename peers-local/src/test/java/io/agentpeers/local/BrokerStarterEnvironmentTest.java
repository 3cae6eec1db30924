package io.agentpeers.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agentpeers.protocol.PeersPaths;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A broker started from inside a Claude Code session serves every session and outlives this one: the
 * session's inbox socket, token and id never reach its environment, wherever they came from. The
 * "broker" here is a shell that writes its environment to a file and exits.
 */
@Timeout(30)
class BrokerStarterEnvironmentTest {
    private static final String TOKEN = "cc-inbox-token-3f9a";

    @TempDir
    Path dir;

    @Test
    void theBrokerChildGetsNoSessionInboxVariables() throws IOException {
        Path home = dir.resolve("home");
        Path dump = dir.resolve("env");
        List<String> command = List.of("/bin/sh", "-c", "env > '" + dump + "'; exit 3");
        Map<String, String> extra = Map.of(
                "CLAUDE_CODE_MESSAGING_SOCKET", "/tmp/cc-socks/s.sock",
                "CLAUDE_CODE_MESSAGING_TOKEN", TOKEN,
                "CLAUDE_CODE_SESSION_ID", "0b7c",
                "PEERS_TEST_KEPT", "kept");

        assertThrows(
                BrokerStartFailedException.class,
                () -> new BrokerStarter(PeersPaths.under(home), command, extra).ensureRunning(Duration.ofSeconds(10)));

        String env = Files.readString(dump);
        assertTrue(env.contains("PEERS_TEST_KEPT=kept"), "the rest of the environment is passed: " + env);
        assertTrue(env.contains("PEERS_HOME=" + home), env);
        assertFalse(env.contains(TOKEN), "the token never reaches the broker");
        assertFalse(env.contains("CLAUDE_CODE_MESSAGING_"), env);
        assertFalse(env.contains("CLAUDE_CODE_SESSION_ID"), env);
    }

    @Test
    void onlyTheSessionVariablesAreRemoved() {
        Map<String, String> env = new HashMap<>(Map.of(
                "CLAUDE_CODE_MESSAGING_SOCKET", "s",
                "CLAUDE_CODE_MESSAGING_TOKEN", "t",
                "CLAUDE_CODE_MESSAGING_ANYTHING_NEW", "n",
                "CLAUDE_CODE_SESSION_ID", "i",
                "CLAUDE_CODE_ENTRYPOINT", "cli",
                "PATH", "/usr/bin"));

        BrokerStarter.withoutSessionSecrets(env);

        assertEquals(Map.of("CLAUDE_CODE_ENTRYPOINT", "cli", "PATH", "/usr/bin"), env);
    }
}
