package io.agentpeers.bench;

import io.agentpeers.local.BrokerStarter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A broker in a child JVM ({@code peers broker run} with {@link BrokerStarter#JVM_OPTIONS}, the SQLite
 * file store, Unix socket and TCP on a free loopback port), configured the way a user's broker is,
 * except for the rate limit. {@link #close()} ends it by pid: SIGTERM, then SIGKILL.
 */
final class BrokerProcess implements AutoCloseable {
    private static final Pattern TCP_LISTENER = Pattern.compile("\"tcp:([^\"]+):(\\d+)\"");
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

    private final Process process;
    private final Path home;
    private final AtomicBoolean closed = new AtomicBoolean();
    private Endpoint unix;
    private Endpoint tcp;

    private BrokerProcess(Process process, Path home) {
        this.process = process;
        this.home = home;
    }

    /**
     * Starts a broker in {@code home} and returns once it answers on both listeners: through {@code launcher}
     * (the {@code ./peers} script, which execs the JVM with the class-data archive and malloc settings a
     * user's broker gets) when it is not null, else on this JVM's class path.
     */
    static BrokerProcess start(Path home, Duration sweep, List<String> extraJvmOptions, Path launcher) {
        return start(home, sweep, extraJvmOptions, launcher, Map.of());
    }

    /** As {@link #start(Path, Duration, List, Path)} with {@code env} over the defaults (another PEERS_DB). */
    static BrokerProcess start(
            Path home, Duration sweep, List<String> extraJvmOptions, Path launcher, Map<String, String> extraEnv) {
        List<String> command = new ArrayList<>();
        String jvmOptions = String.join(" ", BrokerStarter.JVM_OPTIONS) + " " + String.join(" ", extraJvmOptions);
        if (launcher != null) {
            command.add(launcher.toString());
        } else {
            command.add(ProcessHandle.current().info().command().orElse("java"));
            command.addAll(BrokerStarter.JVM_OPTIONS);
            command.addAll(extraJvmOptions);
            command.add("-cp");
            command.add(PeersCommands.absoluteClassPath());
            command.add(PeersCommands.MAIN);
        }
        command.add("broker");
        command.add("run");
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .redirectOutput(ProcessBuilder.Redirect.appendTo(
                        home.resolve("broker.log").toFile()))
                .redirectErrorStream(true);
        Map<String, String> env = builder.environment();
        env.put("PEERS_HOME", home.toString());
        env.put("PEERS_SOCKET", home.resolve("peers.sock").toString());
        env.put("PEERS_DB", home.resolve("peers.db").toString());
        env.put("PEERS_TCP", "127.0.0.1:0");
        // The default 600 a minute would throttle the load, not the broker.
        env.put("PEERS_RATE", "1000000000/100000000");
        // Echo rounds are ping-pong by design: the guard would hold them after 20.
        env.put("PEERS_EXCHANGES", "off");
        env.put("PEERS_SWEEP_MS", Long.toString(sweep.toMillis()));
        env.remove("PEERS_IDLE_TIMEOUT");
        // As BrokerCommands.starter passes them to the launcher.
        env.put("PEERS_JAVA_OPTS", jvmOptions.strip());
        env.putAll(extraEnv);
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start a broker process", e);
        }
        BrokerProcess broker = new BrokerProcess(process, home);
        try {
            broker.awaitReady();
            return broker;
        } catch (RuntimeException e) {
            broker.close();
            throw e;
        }
    }

    private void awaitReady() {
        Path socket = home.resolve("peers.sock");
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        RuntimeException last = null;
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the broker exited with " + process.exitValue() + ": " + logTail());
            }
            if (Files.exists(socket)) {
                try (RawConnection probe = RawConnection.open(Endpoint.unix(socket), Duration.ofSeconds(5))) {
                    String stats = probe.requireOk("stats", null).text();
                    Matcher matcher = TCP_LISTENER.matcher(stats);
                    if (!matcher.find()) {
                        throw new IllegalStateException("the broker lists no TCP listener: " + stats);
                    }
                    String token = Files.readString(home.resolve("token"), StandardCharsets.UTF_8)
                            .strip();
                    unix = Endpoint.unix(socket);
                    tcp = Endpoint.tcp(matcher.group(1), Integer.parseInt(matcher.group(2)), token);
                    return;
                } catch (IOException | RuntimeException e) {
                    last = e instanceof RuntimeException r ? r : new UncheckedIOException((IOException) e);
                }
            }
            sleep(50);
        }
        throw new IllegalStateException("the broker did not answer within " + START_TIMEOUT.toSeconds() + " s: "
                + (last == null ? "" : last.getMessage() + "; ") + logTail());
    }

    long pid() {
        return process.pid();
    }

    Endpoint unix() {
        return unix;
    }

    Endpoint tcp() {
        return tcp;
    }

    Endpoint endpoint(String transport) {
        return "unix".equals(transport) ? unix : tcp;
    }

    Path home() {
        return home;
    }

    boolean alive() {
        return process.isAlive();
    }

    /** Resident memory now (VmRSS) and at its peak (VmHWM), in KiB. */
    long[] residentKib() {
        return residentKib(pid());
    }

    /** VmRSS and VmHWM of process {@code pid} in KiB. */
    static long[] residentKib(long pid) {
        try {
            long rss = -1;
            long hwm = -1;
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    rss = Long.parseLong(line.replaceAll("\\D", ""));
                } else if (line.startsWith("VmHWM:")) {
                    hwm = Long.parseLong(line.replaceAll("\\D", ""));
                }
            }
            return new long[] {rss, hwm};
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the memory of process " + pid, e);
        }
    }

    /** CPU time this broker used so far (user + system), in microseconds. */
    long cpuMicros() {
        return cpuMicros(pid());
    }

    /**
     * CPU time process {@code pid} used so far, user + system, in microseconds: fields 14 and 15 of
     * {@code /proc/PID/stat}, in clock ticks (100 a second on Linux), so 10 ms is the resolution.
     */
    static long cpuMicros(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // The command name (field 2) may hold spaces; the fields after its closing parenthesis do not.
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
            return ticks * 10_000L;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the CPU time of process " + pid, e);
        }
    }

    String logTail() {
        try {
            List<String> lines = Files.readAllLines(home.resolve("broker.log"));
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            return "(no broker.log)";
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** Ends the broker by its pid: SIGTERM, up to 10 s to stop cleanly, then SIGKILL. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        ProcessHandle.of(process.pid()).ifPresent(handle -> {
            handle.destroy();
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    handle.destroyForcibly();
                    process.waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                handle.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        });
    }
}
