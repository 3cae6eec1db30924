package io.agentpeers.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Exit code 3 and a one-sentence fix when no broker answers; the demo runs on its own. */
class CliWithoutBrokerTest {
    @TempDir
    Path home;

    @Test
    void readingCommandsExitWithThreeAndSayHowToStartOne() throws Exception {
        CliProcess cli = new CliProcess(home, home.resolve("p"));
        for (String[] args : new String[][] {{"status"}, {"list"}, {"send", "x", "hi"}, {"inbox", "--json"}}) {
            CliProcess.Result result = cli.run(args);
            assertEquals(3, result.exit(), result::toString);
            assertTrue(result.err().contains("peers broker start"), result::toString);
            assertEquals(1, result.err().strip().lines().count(), "one sentence, no trace: " + result);
        }
        CliProcess.Result status = cli.run("broker", "status", "--json");
        assertEquals(3, status.exit(), status::toString);
        assertFalse(status.json().path("running").asBoolean());

        CliProcess.Result stop = cli.run("broker", "stop");
        assertEquals(0, stop.exit(), "stopping what is not running is done: " + stop);
        assertTrue(stop.out().contains("nothing to stop"), stop::toString);

        CliProcess.Result doctor = cli.run("doctor", "--json");
        assertEquals(1, doctor.exit(), doctor::toString);
        assertFalse(doctor.json().path("ok").asBoolean());
        assertFalse(Files.exists(home.resolve(".peers")), "nothing touched the default home");
    }

    @Test
    void theDemoRunsToItsEndAndCleansUp() throws Exception {
        Path tmp = Files.createDirectories(home.resolve("tmp"));
        CliProcess cli = new CliProcess(home, home.resolve("p"));
        CliProcess.Result demo = cli.run("demo");
        assertEquals(0, demo.exit(), demo::toString);
        assertTrue(demo.out().contains("bob was pushed"), demo::toString);
        assertTrue(demo.out().contains("alice waited"), demo::toString);
        assertTrue(demo.out().contains("done"), demo::toString);
        String folder = demo.out().lines().filter(l -> l.startsWith("done")).findFirst().orElseThrow()
                .replaceAll(".* and (\\S+) is deleted.*", "$1");
        assertFalse(Files.exists(Path.of(folder)), "the demo deleted " + folder);
        assertFalse(Files.exists(home.resolve("p")), "the demo touched nothing in PEERS_HOME");
        assertTrue(Files.isDirectory(tmp));
    }
}
