package io.agentpeers.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agentpeers.protocol.PrivateFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI's resume secret is read and written only in a private home: a planted secret is not
 * trusted, a link is not followed, and no secret is left where another user could take it.
 */
class CliSecretHomeTest {
    @TempDir
    Path home;

    private Path peersHome;
    private EmbeddedBroker broker;
    private InProcessCli cli;

    @BeforeEach
    void startBroker() {
        peersHome = home.resolve("p");
        broker = new EmbeddedBroker(peersHome);
        cli = new InProcessCli(home, peersHome);
    }

    @AfterEach
    void stopBroker() {
        broker.close();
    }

    @Test
    void aHomeOthersMayWriteInGetsNoSecret() throws IOException {
        Files.setPosixFilePermissions(peersHome, PosixFilePermissions.fromString("rwxrwxrwx"));

        InProcessCli.Result listed = cli.run("list");

        assertEquals(CliFailure.FAILED, listed.exit(), listed::toString);
        assertTrue(listed.err().contains("chmod 700 " + peersHome), listed::toString);
        assertTrue(Files.notExists(peersHome.resolve("cli.secret")), "no secret for another user to take");
    }

    @Test
    void aLinkedSecretIsRefusedAndWhatItPointsAtIsLeftAlone() throws IOException {
        Path target = Files.writeString(home.resolve("root-owned"), "precious\n");
        Files.createSymbolicLink(peersHome.resolve("cli.secret"), target);

        InProcessCli.Result listed = cli.run("list");

        assertEquals(CliFailure.FAILED, listed.exit(), listed::toString);
        assertTrue(listed.err().contains("symbolic link"), listed::toString);
        assertEquals("precious\n", Files.readString(target));
        assertTrue(Files.isSymbolicLink(peersHome.resolve("cli.secret")), "left for the person to look at");
    }

    @Test
    void aSecretPlantedByAnotherUserIsRefused() throws IOException {
        Path secret = Files.writeString(peersHome.resolve("cli.secret"), "planted\n");
        Assumptions.assumeTrue(PrivateFiles.currentUid() == 0, "only root can give a file to another user");
        Files.setOwner(
                secret, secret.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody"));

        InProcessCli.Result listed = cli.run("list");

        assertEquals(CliFailure.FAILED, listed.exit(), listed::toString);
        assertTrue(listed.err().contains("belongs to nobody"), listed::toString);
        assertEquals("planted\n", Files.readString(secret, StandardCharsets.US_ASCII));
    }

    @Test
    void theSecretIsMade0600() throws IOException {
        InProcessCli.Result listed = cli.run("list");

        assertEquals(0, listed.exit(), listed::toString);
        Path secret = peersHome.resolve("cli.secret");
        assertTrue(Files.isRegularFile(secret, LinkOption.NOFOLLOW_LINKS));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(secret)));
    }

    @Test
    void doctorFailsAHomeTheBrokerWouldRefuse() throws IOException {
        Files.setPosixFilePermissions(peersHome, PosixFilePermissions.fromString("rwxrwxrwx"));

        InProcessCli.Result doctor = cli.run("doctor", "--json");

        assertEquals(1, doctor.exit(), doctor::toString);
        var check = StreamSupport.stream(doctor.json().path("checks").spliterator(), false)
                .filter(c -> c.path("name").asText().equals("home"))
                .findFirst()
                .orElseThrow();
        assertEquals("fail", check.path("verdict").asText(), doctor::toString);
        assertTrue(check.path("detail").asText().contains("chmod 700 " + peersHome), doctor::toString);
    }
}
