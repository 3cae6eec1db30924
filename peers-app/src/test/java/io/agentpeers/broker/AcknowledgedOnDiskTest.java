package io.agentpeers.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.agentpeers.app.EndsStrayBrokers;
import io.agentpeers.core.ClientType;
import io.agentpeers.core.RegisterRequest;
import io.agentpeers.protocol.client.ClientOptions;
import io.agentpeers.protocol.client.PeersClient;
import io.agentpeers.transport.unix.UnixSocketConnector;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Acknowledged means on disk: a broker process runs under strace, and for every message sent the
 * trace shows the WAL write that carries its text, then an fsync of the WAL, then the first socket
 * write that carries it (its acknowledgement, or the push to its recipient). With {@code PEERS_SYNC=normal}
 * the same trace shows acknowledgements with no fsync before them, so the check can tell the two apart.
 * Skipped where strace is missing or may not trace (a container without ptrace).
 */
@Tag("process")
@ExtendWith(EndsStrayBrokers.class)
class AcknowledgedOnDiskTest {
    private static final int SENDS = 30;
    private static final Pattern LINE = Pattern.compile("^(\\d+) +(\\d+\\.\\d+) (.*)$");
    private static final Pattern CALL = Pattern.compile("^(\\w+)\\((\\d+)[,) ].*");
    private static final Pattern RESUMED = Pattern.compile("^<\\.\\.\\. (\\w+) resumed>.*");
    private static final Pattern DURATION = Pattern.compile("<(\\d+\\.\\d+)>$");
    private static final String UNFINISHED = "<unfinished ...>";
    private static final Pattern OPENED_WAL = Pattern.compile("^openat\\(.*-wal\".*\\) = (\\d+)");

    @TempDir
    Path dir;

    @Test
    void everySendIsFsyncedBeforeAnyByteOfItLeavesTheBroker() throws Exception {
        Trace trace = sendUnderStrace(Map.of());
        for (int seq = 0; seq < SENDS; seq++) {
            String marker = marker(seq);
            Syscall walWrite = trace.firstWalWrite(marker);
            Syscall socketWrite = trace.firstSocketWrite(marker);
            assertTrue(walWrite != null, () -> marker + " never written to the WAL (its fds: " + trace.walFds() + ")");
            assertTrue(socketWrite != null, () -> marker + " never left the broker");
            assertTrue(
                    trace.fsyncBetween(walWrite, socketWrite),
                    () -> marker + " left the broker at " + socketWrite.start + " with no fsync of the WAL after its"
                            + " write at " + walWrite.start);
        }
    }

    @Test
    void withSyncNormalTheSameTraceShowsAcknowledgementsBeforeAnyFsync() throws Exception {
        Trace trace = sendUnderStrace(Map.of("PEERS_SYNC", "normal"));
        int uncovered = 0;
        for (int seq = 0; seq < SENDS; seq++) {
            Syscall walWrite = trace.firstWalWrite(marker(seq));
            Syscall socketWrite = trace.firstSocketWrite(marker(seq));
            assertTrue(walWrite != null && socketWrite != null, "each message was written and sent");
            if (!trace.fsyncBetween(walWrite, socketWrite)) {
                uncovered++;
            }
        }
        assertTrue(uncovered > 0, "NORMAL acknowledges without an fsync");
    }

    private Trace sendUnderStrace(Map<String, String> env) throws Exception {
        assumeTrue(straceWorks(), "strace is missing or may not trace here");
        Path home = dir.resolve("home");
        Path log = dir.resolve("broker.strace");
        List<String> command = new ArrayList<>(List.of(
                "strace",
                "-f",
                "--seccomp-bpf",
                "-qq",
                "-ttt",
                "-T",
                "-s",
                "8192",
                "-e",
                "trace=openat,pwrite64,write,writev,sendto,sendmsg,fsync,fdatasync",
                "-o",
                log.toString()));
        command.addAll(ChildBroker.brokerCommand());
        Map<String, String> all = new java.util.HashMap<>(env);
        all.put("PEERS_RATE", "100000/100000");
        try (ChildBroker broker = ChildBroker.start(home, command, all)) {
            ClientOptions options = ClientOptions.defaults().withRequestTimeout(Duration.ofSeconds(30));
            UnixSocketConnector connector = new UnixSocketConnector(broker.socket());
            try (PeersClient recipient = PeersClient.connect(connector, options);
                    PeersClient sender = PeersClient.connect(connector, options)) {
                recipient.register(RegisterRequest.of("/w", ClientType.GENERIC).withName("sink"));
                recipient.subscribe(envelope -> {});
                sender.register(RegisterRequest.of("/w", ClientType.GENERIC).withName("source"));
                String to = recipient.self().id();
                for (int seq = 0; seq < SENDS; seq++) {
                    sender.send(to, marker(seq));
                }
            }
            // The broker by its pid (strace's child), gracefully: strace then exits with it and its log is whole.
            // Killing strace instead would leave the broker running, untraced.
            for (ProcessHandle traced : broker.process().children().toList()) {
                traced.destroy();
                traced.onExit().get(30, TimeUnit.SECONDS);
            }
            assertTrue(broker.awaitExit(30) >= 0, "strace ended with the broker");
        }
        return Trace.read(log);
    }

    private static String marker(int seq) {
        return String.format("durable-%05d-on-disk", seq);
    }

    private boolean straceWorks() throws InterruptedException {
        try {
            Process probe = new ProcessBuilder("strace", "-f", "--seccomp-bpf", "-qq", "-e", "trace=none", "true")
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("strace-probe.txt").toFile())
                    .start();
            if (!probe.waitFor(20, TimeUnit.SECONDS)) {
                probe.destroyForcibly();
                return false;
            }
            return probe.exitValue() == 0;
        } catch (IOException e) {
            return false;
        }
    }

    /** One finished system call of the trace: its thread, start and end (seconds), fd and whole text. */
    record Syscall(String name, int fd, double start, double end, String text) {}

    /** The broker's calls as strace wrote them, unfinished calls joined with their resumption. */
    record Trace(List<Syscall> calls, Set<Integer> walFds) {
        static Trace read(Path log) throws IOException {
            List<Syscall> calls = new ArrayList<>();
            Set<Integer> walFds = new HashSet<>();
            Map<String, String[]> unfinished = new java.util.HashMap<>();
            for (String raw : Files.readAllLines(log, StandardCharsets.ISO_8859_1)) {
                Matcher line = LINE.matcher(raw);
                if (!line.matches()) {
                    continue;
                }
                String thread = line.group(1);
                double at = Double.parseDouble(line.group(2));
                String rest = line.group(3);
                Matcher resumed = RESUMED.matcher(rest);
                if (resumed.matches()) {
                    String[] begun = unfinished.remove(thread);
                    if (begun != null) {
                        // Printed when the call returned: its time is the end, its result (an openat's fd) there.
                        String start = begun[0].substring(0, begun[0].length() - UNFINISHED.length());
                        String end = rest.substring(rest.indexOf("resumed>") + "resumed>".length());
                        add(calls, walFds, start + end, Double.parseDouble(begun[1]), at);
                    }
                    continue;
                }
                if (rest.endsWith(UNFINISHED)) {
                    unfinished.put(thread, new String[] {rest, line.group(2)});
                    continue;
                }
                add(calls, walFds, rest, at, at + duration(rest));
            }
            return new Trace(calls, walFds);
        }

        private static void add(List<Syscall> calls, Set<Integer> walFds, String text, double start, double end) {
            Matcher opened = OPENED_WAL.matcher(text);
            if (opened.find()) {
                walFds.add(Integer.parseInt(opened.group(1)));
            }
            Matcher call = CALL.matcher(text);
            if (call.matches()) {
                calls.add(new Syscall(call.group(1), Integer.parseInt(call.group(2)), start, end, text));
            }
        }

        private static double duration(String text) {
            Matcher d = DURATION.matcher(text);
            return d.find() ? Double.parseDouble(d.group(1)) : 0;
        }

        Syscall firstWalWrite(String marker) {
            return calls.stream()
                    .filter(c -> c.name().equals("pwrite64")
                            && walFds.contains(c.fd())
                            && c.text().contains(marker))
                    .findFirst()
                    .orElse(null);
        }

        /** The first write to anything but the WAL files and stdout/stderr that carries {@code marker}. */
        Syscall firstSocketWrite(String marker) {
            return calls.stream()
                    .filter(c -> !c.name().equals("pwrite64")
                            && !c.name().startsWith("f")
                            && !c.name().equals("openat"))
                    .filter(c ->
                            c.fd() > 2 && !walFds.contains(c.fd()) && c.text().contains(marker))
                    .min((a, b) -> Double.compare(a.start(), b.start()))
                    .orElse(null);
        }

        /** An fsync of a WAL file that began after {@code write} began and ended before {@code leaving} began. */
        boolean fsyncBetween(Syscall write, Syscall leaving) {
            assertFalse(walFds.isEmpty(), "the trace shows the WAL opened");
            return calls.stream()
                    .anyMatch(c -> (c.name().equals("fsync") || c.name().equals("fdatasync"))
                            && walFds.contains(c.fd())
                            && c.start() >= write.start()
                            && c.end() <= leaving.start());
        }
    }

    @Test
    void theTraceReaderJoinsAnUnfinishedCallWithItsResumption() throws IOException {
        // Another thread's call between an openat and its result: strace splits the line, and the WAL's fd is
        // only in the second half (a full run once traced no WAL write at all this way).
        Path log = dir.resolve("sample.strace");
        Files.writeString(log, """
                10 100.000000 openat(AT_FDCWD, "/h/peers.db-wal", O_RDWR|O_CREAT|O_CLOEXEC, 0644 <unfinished ...>
                13 100.000005 write(2, "another thread", 14) = 14 <0.000001>
                10 100.000010 <... openat resumed>) = 7 <0.000010>
                11 100.100000 pwrite64(7, "durable-00000-on-disk", 4120, 0) = 4120 <0.000005>
                11 100.200000 fdatasync(7 <unfinished ...>
                12 100.250000 write(2, "log line", 8) = 8 <0.000001>
                11 100.300000 <... fdatasync resumed>) = 0 <0.100000>
                12 100.400000 sendto(9, "{\\"text\\":\\"durable-00000-on-disk\\"}", 30, 0, NULL, 0) = 30 <0.000003>
                """);
        Trace trace = Trace.read(log);
        assertEquals(Set.of(7), trace.walFds());
        Syscall sync = trace.calls().stream()
                .filter(c -> c.name().equals("fdatasync"))
                .findFirst()
                .orElseThrow();
        assertEquals(100.3, sync.end(), 1e-9);
        String marker = marker(0);
        assertTrue(trace.fsyncBetween(trace.firstWalWrite(marker), trace.firstSocketWrite(marker)));
    }
}
