package io.agentpeers.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Exit code 3 and a one-sentence fix when no broker answers; what works without one. */
class CliWithoutBrokerTest {
    @TempDir
    Path home;

    @Test
    void readingCommandsExitWithThreeAndSayHowToStartOne() {
        InProcessCli cli = new InProcessCli(home, home.resolve("p"));
        for (String[] args : new String[][] {
            {"status"}, {"list"}, {"send", "x", "hi"}, {"inbox", "--json"}, {"orphans"}, {"watch", "--for", "1"}
        }) {
            InProcessCli.Result result = cli.run(args);
            assertEquals(3, result.exit(), result::toString);
            assertTrue(result.err().contains("peers broker start"), result::toString);
            assertEquals(1, result.err().strip().lines().count(), "one sentence, no trace: " + result);
        }
        InProcessCli.Result status = cli.run("broker", "status", "--json");
        assertEquals(3, status.exit(), status::toString);
        assertFalse(status.json().path("running").asBoolean());
        assertEquals(
                home.resolve("p/peers.sock").toString(),
                status.json().path("socket").asText());

        InProcessCli.Result stop = cli.run("broker", "stop");
        assertEquals(0, stop.exit(), "stopping what is not running is done: " + stop);
        assertTrue(stop.out().contains("nothing to stop"), stop::toString);
        InProcessCli.Result killBroker = cli.run("kill-broker", "--json");
        assertEquals(0, killBroker.exit(), killBroker::toString);
        assertFalse(killBroker.json().path("stopped").asBoolean());

        InProcessCli.Result doctor = cli.run("doctor", "--json");
        assertEquals(1, doctor.exit(), doctor::toString);
        assertFalse(doctor.json().path("ok").asBoolean());
        assertTrue(doctor.json().path("checks").findValuesAsText("verdict").contains("fail"), doctor::toString);
        assertFalse(Files.exists(home.resolve(".peers")), "nothing touched the default home");
        assertFalse(Files.exists(home.resolve("p")), "nor PEERS_HOME: no command here creates it");
    }

    @Test
    void theOptionsOverrideTheEnvironment() {
        InProcessCli cli = new InProcessCli(home, home.resolve("p"));
        InProcessCli.Result socket = cli.run(
                "broker", "status", "--json", "--socket", home.resolve("s.sock").toString());
        assertEquals(
                home.resolve("s.sock").toString(), socket.json().path("socket").asText(), socket::toString);
        InProcessCli.Result other = cli.run(
                "broker", "status", "--json", "--home", home.resolve("q").toString());
        assertEquals(
                home.resolve("q/peers.sock").toString(),
                other.json().path("socket").asText(),
                other::toString);
        InProcessCli.Result before = cli.run("--home", home.resolve("q").toString(), "--json", "broker", "status");
        assertEquals(
                home.resolve("q/peers.sock").toString(),
                before.json().path("socket").asText(),
                "the global options may come before the command: " + before);
        InProcessCli.Result tcp = cli.run("status", "--tcp-url", "127.0.0.1:1", "--token", "t");
        assertEquals(3, tcp.exit(), tcp::toString);
        assertTrue(
                tcp.err().contains("`peers broker start --tcp 127.0.0.1:1`"), "the fix names the TCP address: " + tcp);
    }

    @Test
    void aSocketPathTooLongSaysItsOwnFixOnly() {
        Path deep = home.resolve("d".repeat(120)).resolve("peers.sock");
        InProcessCli.Result result =
                new InProcessCli(home, home.resolve("p")).run("status", "--socket", deep.toString());
        assertEquals(3, result.exit(), result::toString);
        assertTrue(result.err().contains("choose a shorter path"), result::toString);
        assertFalse(result.err().contains("peers broker start"), "starting a broker there cannot work: " + result);
    }

    @Test
    void versionNamesTheProtocol() {
        InProcessCli.Result version = new InProcessCli(home, home.resolve("p")).run("--version");
        assertEquals(0, version.exit(), version::toString);
        assertTrue(
                version.out().startsWith("peers " + io.agentpeers.protocol.client.PeersClient.VERSION + " (protocol "),
                version::toString);
    }
}
