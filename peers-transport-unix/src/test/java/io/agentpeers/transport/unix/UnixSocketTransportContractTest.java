package io.agentpeers.transport.unix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentpeers.protocol.transport.TransportConnector;
import io.agentpeers.protocol.transport.TransportException;
import io.agentpeers.protocol.transport.TransportListener;
import io.agentpeers.testkit.AbstractTransportContractTest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** The transport contract over a Unix socket, plus what only the Unix transport promises. */
class UnixSocketTransportContractTest extends AbstractTransportContractTest {

    private Path socketPath() {
        return tempDir.resolve("home").resolve("peers.sock");
    }

    @Override
    protected TransportListener newListener(Path folder) {
        return new UnixSocketListener(socketPath());
    }

    @Override
    protected TransportConnector newConnector(TransportListener listener) {
        return new UnixSocketConnector(((UnixSocketListener) listener).path());
    }

    @Test
    void theKernelNamesTheCallingProcess() throws IOException {
        JsonNode me = connect().call("whoami", null).get("result");

        assertTrue(me.path("verified").asBoolean());
        assertFalse(me.path("tokenRequired").asBoolean());
        assertEquals(ProcessHandle.current().pid(), me.path("pid").asLong());
        assertEquals(currentUid(), me.path("uid").asInt());
        assertEquals(
                (int) Files.getAttribute(Path.of("/proc/self"), "unix:gid"),
                me.path("gid").asInt());
    }

    @Test
    void theFolderIsPrivateAndTheSocketFileTooAndCloseRemovesTheFile() throws IOException {
        assertEquals(
                "rwx------",
                PosixFilePermissions.toString(
                        Files.getPosixFilePermissions(socketPath().getParent())));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(socketPath())));

        server.close();

        assertFalse(Files.exists(socketPath()), "the socket file is removed when the listener closes");
    }

    @Test
    void anExistingFolderKeepsItsMode() throws IOException {
        Path shared = Files.createDirectory(tempDir.resolve("shared"));
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxr-xr-x"));
        try (UnixSocketListener other = new UnixSocketListener(shared.resolve("x.sock"))) {
            other.bind();
            assertEquals("rwxr-xr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(shared)));
            assertEquals(
                    "rw-------",
                    PosixFilePermissions.toString(Files.getPosixFilePermissions(shared.resolve("x.sock"))));
        }
    }

    @Test
    void aPathTooLongForASocketFailsWithAClearMessage() {
        Path deep = tempDir.resolve("d".repeat(60)).resolve("e".repeat(60)).resolve("peers.sock");

        TransportException onBind = assertThrows(TransportException.class, () -> new UnixSocketListener(deep).bind());
        TransportException onConnect =
                assertThrows(TransportException.class, () -> new UnixSocketConnector(deep).connect());

        assertTrue(onBind.getMessage().contains("more than the 107"), onBind.getMessage());
        assertTrue(onConnect.getMessage().contains("more than the 107"), onConnect.getMessage());
        assertFalse(Files.exists(deep.getParent()), "nothing is created for a path that cannot work");
    }

    @Test
    void aStaleSocketFileIsToldApartFromALiveOne() throws IOException {
        assertEquals(SocketFileState.LIVE, SocketFiles.probe(socketPath()));
        assertEquals(SocketFileState.ABSENT, SocketFiles.probe(tempDir.resolve("none.sock")));
        Path plain = Files.writeString(tempDir.resolve("plain.sock"), "not a socket");
        assertEquals(SocketFileState.NOT_A_SOCKET, SocketFiles.probe(plain));
        assertFalse(SocketFiles.removeIfStale(plain));

        Path stale = tempDir.resolve("stale.sock");
        StaleSockets.leaveBehind(stale);
        assertEquals(SocketFileState.STALE, SocketFiles.probe(stale));
        TransportException taken = assertThrows(TransportException.class, () -> new UnixSocketListener(stale).bind());
        assertTrue(taken.getMessage().contains("stale"), taken.getMessage());
        TransportException noBroker =
                assertThrows(TransportException.class, () -> new UnixSocketConnector(stale).connect());
        assertTrue(noBroker.getMessage().contains("stale"), noBroker.getMessage());

        assertTrue(SocketFiles.removeIfStale(stale));
        assertEquals(SocketFileState.ABSENT, SocketFiles.probe(stale));
        assertFalse(SocketFiles.removeIfStale(socketPath()), "a live socket is never removed");
        assertTrue(Files.exists(socketPath()));
    }

    @Test
    void aCallerOfAnotherUidIsRefusedByTheListener() throws Exception {
        Assumptions.assumeTrue(currentUid() == 0, "needs root to run a client as nobody");
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")), "needs setpriv");
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/python3")), "needs python3");
        // Open the path to everyone, so that the listener's uid check (not the file mode) refuses.
        // Only the test's own folders: tempDir and below, never what holds it (e.g. /tmp).
        Files.setPosixFilePermissions(tempDir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(socketPath().getParent(), PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(socketPath(), PosixFilePermissions.fromString("rw-rw-rw-"));
        String client = "import socket,sys\n"
                + "s=socket.socket(socket.AF_UNIX)\n"
                + "s.settimeout(10)\n"
                + "s.connect(sys.argv[1])\n"
                + "f=s.makefile('rb')\n"
                + "print(f.readline().decode().strip())\n"
                + "print('eof' if f.readline()==b'' else 'open')\n";
        Process process = new ProcessBuilder(
                        "/usr/bin/setpriv",
                        "--reuid=65534",
                        "--regid=65534",
                        "--clear-groups",
                        "/usr/bin/python3",
                        "-c",
                        client,
                        socketPath().toString())
                .redirectErrorStream(true)
                .start();
        assertTrue(process.waitFor(20, TimeUnit.SECONDS), "the client finishes");
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

        assertTrue(output.contains("not_authorized"), output);
        assertTrue(output.contains("uid 65534 may not use this broker"), output);
        assertTrue(output.strip().endsWith("eof"), output);
        assertEquals(0, handler.opens(), "a refused caller never reaches the handler");
    }

    @Test
    void connectingWhereNoSocketIsSaysSo() {
        TransportException e = assertThrows(
                TransportException.class, () -> new UnixSocketConnector(tempDir.resolve("absent.sock")).connect());
        assertTrue(e.getMessage().contains("no broker is listening"), e.getMessage());
    }
}
