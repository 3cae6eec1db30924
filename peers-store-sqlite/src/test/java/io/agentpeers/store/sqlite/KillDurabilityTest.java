package io.agentpeers.store.sqlite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agentpeers.core.Message;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What a commit acknowledged survives SIGKILL of the process that committed it. */
class KillDurabilityTest {
    private static final Logger LOG = LoggerFactory.getLogger(KillDurabilityTest.class);
    private static final int WANTED = 400;
    private static final long TIME_LIMIT_MILLIS = 60_000;

    @TempDir
    Path dir;

    @Test
    void everyAcknowledgedCommitSurvivesKillDashNine() throws Exception {
        Path file = dir.resolve("peers.db");
        String java = ProcessHandle.current()
                .info()
                .command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        Process child = new ProcessBuilder(
                        java,
                        "-cp",
                        System.getProperty("java.class.path"),
                        DurabilityChild.class.getName(),
                        file.toString())
                .redirectError(dir.resolve("child.err").toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .start();
        Map<Long, String> acknowledged = new LinkedHashMap<>();
        try {
            long deadline = System.currentTimeMillis() + TIME_LIMIT_MILLIS;
            try (BufferedReader out =
                    new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while (acknowledged.size() < WANTED
                        && System.currentTimeMillis() < deadline
                        && (line = out.readLine()) != null) {
                    int space = line.indexOf(' ');
                    acknowledged.put(Long.parseLong(line.substring(0, space)), line.substring(space + 1));
                }
                assertTrue(child.isAlive(), "the child was still committing when killed");
                // SIGKILL on Linux: no shutdown hook, no close(), no checkpoint.
                child.destroyForcibly();
                assertTrue(child.waitFor(30, TimeUnit.SECONDS));
            }
        } finally {
            child.destroyForcibly();
            child.waitFor(30, TimeUnit.SECONDS);
        }
        assertEquals(WANTED, acknowledged.size(), "acknowledged ids read before the time limit");
        assertEquals(137, child.exitValue(), "killed by SIGKILL");

        int found = 0;
        try (SqlitePeerStore store = SqlitePeerStore.open(file)) {
            for (Map.Entry<Long, String> e : acknowledged.entrySet()) {
                Message m = store.read(tx -> tx.findMessage(e.getKey())).orElse(null);
                assertFalse(m == null, "acknowledged message " + e.getKey() + " is lost");
                assertEquals(e.getValue(), m.text());
                found++;
            }
            LOG.info(
                    "acknowledged {}, found {} after SIGKILL; {} messages in the file",
                    acknowledged.size(),
                    found,
                    store.read(tx -> tx.counts().messages()));
        }
        assertEquals(acknowledged.size(), found);
    }
}
