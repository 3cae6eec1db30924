package io.agentpeers.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code peers doctor} with a PostgreSQL {@code PEERS_DB}: whether the server's address accepts connections (a
 * real listening socket on loopback, and a port nobody listens on) and where the password would come from.
 */
class PostgresDoctorTest {
    @TempDir
    Path home;

    @Test
    void aListeningServerAndAPrivatePasswordFileLineAreOk() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            int port = server.getLocalPort();
            Path pgpass = home.resolve(".pgpass");
            Files.writeString(pgpass, "# team\nother:1:x:y:z\n127.0.0.1:" + port + ":peers:ana:secret\n");
            Files.setPosixFilePermissions(pgpass, PosixFilePermissions.fromString("rw-------"));
            InProcessCli cli = cli("postgresql://ana@127.0.0.1:" + port + "/peers");

            JsonNode reach = check(cli.run("doctor", "--json"), "postgres");
            assertEquals("ok", reach.path("verdict").asText(), reach.toString());
            assertTrue(reach.path("detail").asText().contains("database peers, user ana"), reach.toString());
            assertEquals(
                    "ok",
                    check(cli.run("doctor", "--json"), "postgres password")
                            .path("verdict")
                            .asText());

            Files.setPosixFilePermissions(pgpass, PosixFilePermissions.fromString("rw-r--r--"));
            JsonNode open = check(cli.run("doctor", "--json"), "postgres password");
            assertEquals("warn", open.path("verdict").asText(), open.toString());
            assertTrue(open.path("fix").asText().startsWith("chmod 600"), open.toString());

            Files.setPosixFilePermissions(pgpass, PosixFilePermissions.fromString("rw-------"));
            JsonNode otherUser = check(
                    cli("postgresql://bob@127.0.0.1:" + port + "/peers").run("doctor", "--json"), "postgres password");
            assertEquals("warn", otherUser.path("verdict").asText(), "no line for bob: " + otherUser);
        }
    }

    @Test
    void aPortNobodyListensOnFailsAndPgpasswordIsNamed() throws Exception {
        int closed;
        try (ServerSocket gone = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = gone.getLocalPort();
        }
        InProcessCli cli =
                cli("postgresql://ana@127.0.0.1:" + closed + "/peers").env("PGPASSWORD", "x");
        InProcessCli.Result doctor = cli.run("doctor", "--json");

        JsonNode reach = check(doctor, "postgres");
        assertEquals("fail", reach.path("verdict").asText(), reach.toString());
        assertTrue(reach.path("detail").asText().contains("cannot reach 127.0.0.1:" + closed), reach.toString());
        JsonNode password = check(doctor, "postgres password");
        assertTrue(password.path("detail").asText().contains("PGPASSWORD"), password.toString());
        assertFalse(doctor.out().contains("\"x\""), "the password itself is never printed");
    }

    @Test
    void aSqliteDatabaseHasNoPostgresChecks() {
        InProcessCli.Result doctor = new InProcessCli(home, home.resolve("p")).run("doctor", "--json");
        for (JsonNode node : doctor.json().path("checks")) {
            assertFalse(node.path("name").asText().startsWith("postgres"), node.toString());
        }
    }

    private InProcessCli cli(String url) {
        return new InProcessCli(home, home.resolve("p")).env("PEERS_DB", url);
    }

    private static JsonNode check(InProcessCli.Result doctor, String name) {
        for (JsonNode node : doctor.json().path("checks")) {
            if (node.path("name").asText().equals(name)) {
                return node;
            }
        }
        throw new AssertionError("no check " + name + " in " + doctor);
    }
}
