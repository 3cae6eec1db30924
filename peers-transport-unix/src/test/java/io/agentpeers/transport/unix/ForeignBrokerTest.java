package io.agentpeers.transport.unix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agentpeers.protocol.PrivateFiles;
import io.agentpeers.protocol.transport.TransportException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A socket that another user listens on is not a broker to talk to: the client asks the kernel who
 * listens, as the broker asks who calls. The listener is python3 run as {@code nobody} through setpriv.
 */
@Timeout(60)
class ForeignBrokerTest {
    private static final String LISTENER = String.join(
            "\n",
            "import os, socket, sys, time",
            "s = socket.socket(socket.AF_UNIX)",
            "s.bind(sys.argv[1])",
            "os.chmod(sys.argv[1], 0o666)",
            "s.listen(8)",
            "print('listening', flush=True)",
            "c, _ = s.accept()",
            "time.sleep(10)");

    @TempDir
    Path dir;

    @Test
    void aClientRefusesASocketThatAnotherUserListensOn() throws Exception {
        Assumptions.assumeTrue(uid() == 0, "needs root to listen as nobody (running as uid " + uid() + ")");
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")), "needs /usr/bin/setpriv");
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/python3")), "needs /usr/bin/python3");
        Path folder = Files.createDirectory(dir.resolve("theirs"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString("rwxrwxrwx"));
        Path socket = folder.resolve("peers.sock");
        Process listener = new ProcessBuilder(
                        "/usr/bin/setpriv",
                        "--reuid=nobody",
                        "--regid=nogroup",
                        "--clear-groups",
                        "/usr/bin/python3",
                        "-c",
                        LISTENER,
                        socket.toString())
                .redirectErrorStream(true)
                .start();
        try {
            BufferedReader out =
                    new BufferedReader(new InputStreamReader(listener.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("listening", out.readLine(), "nobody listens at " + socket);

            TransportException refused =
                    assertThrows(TransportException.class, () -> new UnixSocketConnector(socket).connect());

            assertTrue(refused.getMessage().contains("runs as uid 65534, not as you (uid 0)"), refused.getMessage());
        } finally {
            listener.destroyForcibly();
            listener.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static int uid() throws IOException {
        return PrivateFiles.currentUid();
    }
}
