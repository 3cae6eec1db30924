package io.agentpeers.bench;

import io.agentpeers.broker.PeersBroker;
import io.agentpeers.core.ClientType;
import io.agentpeers.core.PeersLimits;
import io.agentpeers.core.RegisterRequest;
import io.agentpeers.core.Scope;
import io.agentpeers.protocol.client.ClientOptions;
import io.agentpeers.protocol.client.PeersClient;
import io.agentpeers.store.sqlite.SqlitePeerStore;
import io.agentpeers.transport.unix.UnixSocketConnector;
import io.agentpeers.transport.unix.UnixSocketListener;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * Thousands of peers reconnecting at once after their broker restarts (issue 11, point 8): a broker in
 * this JVM (SQLite file store, Unix socket, as a user's), clients that each hold one connection and one
 * peer ({@link StormClients}, on one thread), messages waiting for them; the broker stops and starts
 * again on the same files, and every client, reconnecting on a {@code PeersClient}'s schedule, resumes
 * its peer by secret and asks for its pending messages. Measures, per client, the time from the new broker's start to its resume and to
 * that first {@code pending} answered, and the time until the last one was served.
 *
 * <p>Bounded: the clients, the messages and the wait for the last client ({@link #SERVE_TIMEOUT}).
 */
final class RestartStorm {
    static final String SECTION = "restart: peers resumed and served after a broker restart (ms from its start)";
    private static final Duration SERVE_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration REGISTER_TIMEOUT = Duration.ofMinutes(5);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);
    private static final int PENDING_LIMIT = 50;
    private static final String TEXT = "x".repeat(100);
    private static final int SENDERS = 10;

    private final Path home;
    private final int peers;
    private final int messages;
    private final Consumer<String> log;

    /**
     * @param home     an empty folder with a short path (the socket file goes there)
     * @param peers    clients, each its own connection
     * @param messages messages queued to them before the restart, spread evenly
     */
    RestartStorm(Path home, int peers, int messages, Consumer<String> log) {
        this.home = home;
        this.peers = peers;
        this.messages = messages;
        this.log = log;
    }

    /** Peers and messages for a preset: 2,000 and 100,000 in the full run (the case). */
    static int[] size(String preset) {
        return switch (preset) {
            case "smoke" -> new int[] {20, 200};
            case "quick" -> new int[] {2000, 20_000};
            default -> new int[] {2000, 100_000};
        };
    }

    /** Runs the scenario and adds its rows to {@code report}. */
    void run(Report report) {
        long openFiles = openFileLimit();
        report.meta("restart_open_file_limit", openFiles);
        // Two descriptors a client in this JVM (its end and the broker's), and some for the JVM and SQLite.
        int clients = (int) Math.min(peers, Math.max(1, (openFiles - 200) / 2));
        if (clients < peers) {
            log.accept("only " + clients + " clients fit under the open-file limit " + openFiles
                    + "; raise it (ulimit -n) for " + peers);
        }
        Path socket = home.resolve("peers.sock");
        PeersBroker broker = start(socket);
        ExecutorService stormThread = Executors.newSingleThreadExecutor(r -> new Thread(r, "peers-bench-storm"));
        try (StormClients storm = new StormClients(socket, clients, PENDING_LIMIT)) {
            log.accept("restart: registering " + clients + " clients");
            storm.register(REGISTER_TIMEOUT.toMillis());
            int queued = queue(socket, clients);
            log.accept("restart: " + queued + " messages wait; restarting the broker");

            Future<StormClients.Times> storming =
                    stormThread.submit(() -> storm.resumeAfterLoss(SERVE_TIMEOUT.toMillis()));
            long cpuBefore = processCpuNanos();
            Map<Long, Long> threadsBefore = cpuByThread();
            long stopAt = System.nanoTime();
            broker.close();
            long stoppedAt = System.nanoTime();
            broker = start(socket);
            long startedAt = System.nanoTime();
            StormClients.Times times;
            try {
                times = storming.get(SERVE_TIMEOUT.toSeconds() + 10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the clients", e);
            } catch (ExecutionException | TimeoutException e) {
                throw new IllegalStateException("the clients failed: " + e, e);
            }
            long[] resumedAt = times.resumedAt();
            long[] servedAt = times.servedAt();
            boolean all = Arrays.stream(servedAt).allMatch(at -> at != 0);
            long cpuMillis = (processCpuNanos() - cpuBefore) / 1_000_000;
            Map<String, Long> threadsAfter = cpuSinceByGroup(threadsBefore);
            long lastServed = 0;
            Samples resumed = new Samples();
            Samples firstServed = new Samples();
            for (int i = 0; i < clients; i++) {
                if (resumedAt[i] != 0) {
                    resumed.add(Math.max(0, resumedAt[i] - startedAt));
                }
                if (servedAt[i] != 0) {
                    firstServed.add(Math.max(0, servedAt[i] - startedAt));
                    lastServed = Math.max(lastServed, servedAt[i]);
                }
            }
            double totalMillis = lastServed == 0 ? Double.NaN : (lastServed - startedAt) / 1e6;
            String label = clients + " peers, " + queued + " messages waiting";
            Map<String, Object> resumedValues = resumed.summary();
            resumedValues.put("stop_ms", Samples.round((stoppedAt - stopAt) / 1e6));
            resumedValues.put("start_ms", Samples.round((startedAt - stoppedAt) / 1e6));
            report.add(SECTION, label + ", resumed (register by secret)", resumedValues, "", "");
            Map<String, Object> servedValues = firstServed.summary();
            servedValues.put("all_served_ms", Samples.round(totalMillis));
            servedValues.put("served_per_s", Samples.round(firstServed.size() / (totalMillis / 1000)));
            servedValues.put(
                    "p99_over_p50",
                    Samples.round(
                            firstServed.percentileMillis(99) / Math.max(0.001, firstServed.percentileMillis(50))));
            servedValues.put("not_served", clients - firstServed.size());
            servedValues.put("failed", times.failed());
            servedValues.put("all_within_s", all ? SERVE_TIMEOUT.toSeconds() : -1);
            // CPU of this JVM (broker and clients) from the stop to the last client served: steadier than
            // wall time on a shared machine.
            servedValues.put("cpu_ms", cpuMillis);
            report.add(SECTION, label + ", first pending answered", servedValues, "a few seconds", "");
            Map<String, Object> byGroup = new LinkedHashMap<>();
            threadsAfter.entrySet().stream()
                    .map(e -> Map.entry(e.getKey(), e.getValue() / 1_000_000))
                    .filter(e -> e.getValue() >= 100)
                    .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                    .forEach(e -> byGroup.put(e.getKey(), e.getValue()));
            report.add(SECTION + ", CPU by thread (ms, 100 or more)", label, byGroup, "", "");
            log.accept(String.format(
                    java.util.Locale.ROOT,
                    "restart: %d of %d served, the last %.0f ms after the broker started (p50 %.0f, p99 %.0f)",
                    firstServed.size(),
                    clients,
                    totalMillis,
                    firstServed.percentileMillis(50),
                    firstServed.percentileMillis(99)));
        } catch (IOException e) {
            throw new IllegalStateException("the storm's clients failed: " + e.getMessage(), e);
        } finally {
            stormThread.shutdownNow();
            broker.close();
        }
    }

    private PeersBroker start(Path socket) {
        Path database = home.resolve("peers.db");
        return PeersBroker.builder()
                .listen(UnixSocketListener.replacingStaleFile(socket))
                .lockFile(home.resolve("broker.lock"))
                // The default 600 a minute would throttle the queueing, not measure the restart.
                .limits(PeersLimits.defaults()
                        .withRate(1_000_000_000, 100_000_000)
                        .withExchanges(0, Duration.ofMinutes(10)))
                .ownedStore(() -> SqlitePeerStore.open(database))
                .start();
    }

    private static ClientOptions options() {
        return ClientOptions.defaults()
                .withClientName("peers-bench/" + PeersClient.VERSION)
                .withReconnect(true)
                .withRequestTimeout(REQUEST_TIMEOUT);
    }

    /**
     * Broadcasts to every peer until about {@link #messages} wait, from {@link #SENDERS} peers that then
     * unregister (as after a restart, no sender is live when the recipients come back); returns how
     * many were queued.
     */
    private int queue(Path socket, int clients) {
        int rounds = Math.max(1, messages / clients);
        int queued = 0;
        List<PeersClient> senders = new ArrayList<>();
        try {
            for (int i = 0; i < Math.min(SENDERS, rounds); i++) {
                PeersClient sender = PeersClient.connect(new UnixSocketConnector(socket), options());
                senders.add(sender);
                sender.register(RegisterRequest.of("/bench/restart/sender" + i, ClientType.GENERIC));
            }
            for (int round = 0; round < rounds; round++) {
                queued += senders.get(round % senders.size())
                        .broadcast(Scope.MACHINE, TEXT)
                        .size();
            }
            senders.forEach(PeersClient::unregister);
        } finally {
            closeAll(senders);
        }
        // The senders were live when they broadcast, so each got the others' messages too.
        return queued;
    }

    private static void closeAll(List<PeersClient> clients) {
        for (PeersClient client : clients) {
            try {
                client.close();
            } catch (RuntimeException e) {
                // closing anyway
            }
        }
    }

    private static long processCpuNanos() {
        java.lang.management.OperatingSystemMXBean os =
                java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        return os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getProcessCpuTime() : 0;
    }

    /**
     * CPU time of each live thread, by id: the old broker's threads and the new one's share names, so
     * a delta by name would subtract the one from the other.
     */
    private static Map<Long, Long> cpuByThread() {
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        Map<Long, Long> out = new java.util.HashMap<>();
        if (threads.isThreadCpuTimeSupported()) {
            for (long id : threads.getAllThreadIds()) {
                long nanos = threads.getThreadCpuTime(id);
                if (nanos > 0) {
                    out.put(id, nanos);
                }
            }
        }
        return out;
    }

    /**
     * The CPU that live threads spent since {@code before}, by name without its number
     * ({@code peers-worker}, {@code peers-client-reader}); threads that ended meanwhile (the old
     * broker's, the clients' reconnect threads) are missing, and so are the JIT's and the GC's.
     */
    private static Map<String, Long> cpuSinceByGroup(Map<Long, Long> before) {
        Map<String, Long> out = new java.util.HashMap<>();
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        for (Map.Entry<Long, Long> now : cpuByThread().entrySet()) {
            java.lang.management.ThreadInfo info = threads.getThreadInfo(now.getKey());
            if (info != null) {
                long spent = now.getValue() - before.getOrDefault(now.getKey(), 0L);
                out.merge(info.getThreadName().replaceAll("[-#]?\\d+$", ""), spent, Long::sum);
            }
        }
        return out;
    }

    /** The soft limit of open files of this process (the JVM raises it to the hard limit at start on Linux). */
    private static long openFileLimit() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
                if (line.startsWith("Max open files")) {
                    String[] fields = line.trim().split("\\s+");
                    return Long.parseLong(fields[3]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: assume enough
        }
        return Long.MAX_VALUE / 4;
    }
}
