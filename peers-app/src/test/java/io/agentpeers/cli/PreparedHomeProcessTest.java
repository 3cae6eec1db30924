package io.agentpeers.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agentpeers.app.BrokerProcesses;
import io.agentpeers.app.EndsStrayBrokers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The attack of issue 11, point 4, against the real {@code peers broker start}: {@code nobody} made the
 * home (mode 777), linked {@code broker.log} to a file of root's and planted a {@code token}. The start
 * is refused with one sentence, writes nothing through the link, and leaves no broker running.
 */
@Tag("process")
@ExtendWith(EndsStrayBrokers.class)
class PreparedHomeProcessTest {
    private static final String PLANTED = "0".repeat(64) + "\n";

    @TempDir
    Path home;

    private List<Long> leftRunning = List.of();

    @Test
    void rootRefusesAHomeThatNobodyPrepared() throws Exception {
        Assumptions.assumeTrue(uid() == 0, "needs root to give the home to nobody (running as uid " + uid() + ")");
        Path peersHome = home.resolve("p");
        Path outside = prepare(peersHome);
        UserPrincipal nobody =
                home.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody");
        for (Path path : List.of(peersHome, peersHome.resolve("broker.log"), peersHome.resolve("token"))) {
            Files.getFileAttributeView(path, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                    .setOwner(nobody);
        }

        CliProcess.Result start = startBroker(peersHome);

        assertEquals(
                "peers: the peers folder " + peersHome + " belongs to nobody (uid 65534), not to root (uid 0) who runs"
                        + " peers: move it away (peers then makes a new one) or set PEERS_HOME to a folder of your own",
                start.err().strip(),
                start::toString);
        assertNothingDone(start, peersHome, outside);
    }

    @Test
    void aHomeOthersMayWriteInIsRefusedForAnyUser() throws Exception {
        Path peersHome = home.resolve("p");
        Path outside = prepare(peersHome);

        CliProcess.Result start = startBroker(peersHome);

        assertEquals(
                "peers: the peers folder " + peersHome + " lets other users put files and links in it (mode"
                        + " rwxrwxrwx): run `chmod 700 " + peersHome + "`",
                start.err().strip(),
                start::toString);
        assertNothingDone(start, peersHome, outside);
    }

    /** The home as the attacker left it; returns the file its broker.log points at. */
    private Path prepare(Path peersHome) throws IOException {
        Files.createDirectory(peersHome);
        Files.setPosixFilePermissions(peersHome, PosixFilePermissions.fromString("rwxrwxrwx"));
        Path outside = Files.writeString(home.resolve("root-owned.txt"), "precious\n");
        Files.createSymbolicLink(peersHome.resolve("broker.log"), outside);
        Files.writeString(peersHome.resolve("token"), PLANTED);
        return outside;
    }

    private CliProcess.Result startBroker(Path peersHome) throws Exception {
        try {
            return new CliProcess(home, peersHome)
                    .env("PEERS_TCP", "127.0.0.1:0")
                    .run("broker", "start");
        } finally {
            // Whatever the outcome: a broker that did start is noted, then ended by its pid.
            leftRunning = BrokerProcesses.under(List.of(home)).stream()
                    .map(ProcessHandle::pid)
                    .toList();
            for (long pid : leftRunning) {
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
    }

    private void assertNothingDone(CliProcess.Result start, Path peersHome, Path outside) throws IOException {
        assertNotEquals(0, start.exit(), start::toString);
        assertEquals("precious\n", Files.readString(outside), "nothing was written through the link");
        assertTrue(Files.isSymbolicLink(peersHome.resolve("broker.log")), "the link is left for the person to see");
        assertEquals(PLANTED, Files.readString(peersHome.resolve("token")));
        assertEquals("rwxrwxrwx", PosixFilePermissions.toString(Files.getPosixFilePermissions(peersHome)));
        assertTrue(Files.notExists(peersHome.resolve("peers.sock"), LinkOption.NOFOLLOW_LINKS), "no socket");
        assertTrue(Files.notExists(peersHome.resolve("start.lock"), LinkOption.NOFOLLOW_LINKS));
        assertEquals(List.of(), leftRunning, "no broker was left running");
    }

    private int uid() throws IOException {
        return ((Number) Files.getAttribute(home, "unix:uid")).intValue();
    }
}
