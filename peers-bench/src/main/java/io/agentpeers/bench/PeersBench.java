package io.agentpeers.bench;

import io.agentpeers.protocol.client.PeersClient;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The benchmark of issue 6: starts a real broker process (SQLite file store in a temporary folder) and
 * measures it over the Unix socket and TCP, then prints a table and writes JSON. Run
 * {@code java -jar peers-bench/target/peers-bench.jar [--quick]}.
 */
public final class PeersBench {
    static final String CWD = "/bench/repo";
    static final String SEND_TEXT = "x".repeat(100);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
    /** Longer than the broker takes to see it is quiet (two looks 5 s apart, after the one that saw it busy). */
    private static final Duration QUIET_SETTLE = Duration.ofSeconds(25);

    /** {@code --only commands}: the MCP round trip and the cold starts alone. */
    static final String COMMANDS_ONLY = "commands";
    /** {@code --only sends}: the durable send throughput alone, then the footprint. */
    static final String SENDS_ONLY = "sends";
    /** {@code --only restart}: the peers reconnecting after a broker restart alone (a broker in this JVM). */
    static final String RESTART_ONLY = "restart";
    /** {@code --only requests}: issue 14's per-request latencies beside the echo floor alone. */
    static final String REQUESTS_ONLY = "requests";
    /** {@code --only network}: several brokers on one PostgreSQL beside one SQLite broker, alone. */
    static final String NETWORK_ONLY = "network";

    private final BenchOptions options;
    private final Report report = new Report();
    private final PrintStream progress;
    private final Path tempParent;

    /**
     * @param progress   where progress lines go (stderr; the table goes to stdout)
     * @param tempParent where the broker's temporary home is made (and deleted after)
     */
    PeersBench(BenchOptions options, PrintStream progress, Path tempParent) {
        this.options = options;
        this.progress = progress;
        this.tempParent = tempParent;
    }

    public static void main(String[] args) {
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        BenchOptions options;
        try {
            options = BenchOptions.parse(args);
        } catch (BenchOptions.UsageException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        PeersBench bench = new PeersBench(options, System.err, Path.of(System.getProperty("java.io.tmpdir")));
        Report result = bench.run();
        System.out.println(result.table());
        System.out.println("JSON: " + options.jsonOrDefault().toAbsolutePath());
        System.exit(result.rows().stream().anyMatch(r -> r.section().equals("errors")) ? 1 : 0);
    }

    /** Runs every measurement; a failing phase is reported as such and the others still run. */
    Report run() {
        report.meta("preset", options.preset());
        report.meta("started_at", Instant.now().toString());
        report.meta("cpus", Runtime.getRuntime().availableProcessors());
        report.meta("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        report.meta("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
        Path home;
        try {
            // A short path: a Unix socket path may not exceed 107 bytes.
            home = Files.createTempDirectory(tempParent, "peers-bench-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        long began = System.nanoTime();
        if (NETWORK_ONLY.equals(options.only())) {
            deleteTree(home);
            phase(this::network);
            report.meta("duration_s", (System.nanoTime() - began) / 1_000_000_000L);
            report.writeJson(options.jsonOrDefault());
            return report;
        }
        if (RESTART_ONLY.equals(options.only())) {
            phase(() -> restartStorm(home));
            deleteTree(home);
            report.meta("duration_s", (System.nanoTime() - began) / 1_000_000_000L);
            report.writeJson(options.jsonOrDefault());
            return report;
        }
        BrokerProcess broker = null;
        Thread killer = null;
        try {
            log("starting a broker in %s", home);
            PeersCommands commands = new PeersCommands(options.root(), null);
            Path launcher = commands.launcherMissing() == null ? commands.launcher() : null;
            report.meta("broker_started_by", launcher == null ? "java -cp (no launcher built)" : launcher.toString());
            broker = BrokerProcess.start(home, options.sweep(), extraBrokerOptions(), launcher);
            BrokerProcess started = broker;
            killer = new Thread(started::close, "bench-broker-killer");
            Runtime.getRuntime().addShutdownHook(killer);
            report.meta("broker_pid", broker.pid());
            report.meta(
                    "broker_jvm_options",
                    String.join(" ", io.agentpeers.local.BrokerStarter.JVM_OPTIONS) + " "
                            + String.join(" ", extraBrokerOptions()));
            report.meta("tcp", broker.tcp().toString());
            measure(broker, home);
        } catch (RuntimeException e) {
            report.add("errors", "run", Map.of("error", String.valueOf(e)), null, null);
            log("run failed: %s", e);
            if (broker != null) {
                log("broker log:\n%s", broker.logTail());
            }
        } finally {
            if (broker != null) {
                broker.close();
                report.meta("broker_exit_code", brokerExit(broker));
            }
            if (killer != null) {
                try {
                    Runtime.getRuntime().removeShutdownHook(killer);
                } catch (IllegalStateException shuttingDown) {
                    // the hook runs anyway
                }
            }
            deleteTree(home);
        }
        if (options.only() == null) {
            // After the broker process stopped: this one runs a broker in this JVM.
            phase(() -> restartStorm(freshHome()));
            if (options.preset().equals("smoke")) {
                // Four brokers and a PostgreSQL cluster: NetworkBenchSmokeTest runs them on their own.
                report.unavailable(NetworkBench.SECTION, "several brokers on PostgreSQL", "disabled in this preset");
            } else {
                phase(this::network);
            }
        }
        report.meta("duration_s", (System.nanoTime() - began) / 1_000_000_000L);
        report.writeJson(options.jsonOrDefault());
        return report;
    }

    /** Extra JVM options for the broker, to investigate (e.g. -XX:NativeMemoryTracking=summary). */
    private static List<String> extraBrokerOptions() {
        String extra = System.getenv("PEERS_BENCH_BROKER_JVM_OPTIONS");
        return extra == null || extra.isBlank()
                ? List.of()
                : List.of(extra.trim().split("\\s+"));
    }

    private static Object brokerExit(BrokerProcess broker) {
        return broker.alive() ? "still running" : "stopped";
    }

    private void measure(BrokerProcess broker, Path home) {
        if (REQUESTS_ONLY.equals(options.only())) {
            phase(() -> requestLatency(broker, home));
            return;
        }
        if (COMMANDS_ONLY.equals(options.only())) {
            PeersCommands commands = new PeersCommands(options.root(), broker);
            phase(() -> mcpRoundTrip(commands, broker.unix()));
            phase(() -> coldStarts(commands));
            return;
        }
        if (SENDS_ONLY.equals(options.only())) {
            measureSends(broker);
            return;
        }
        BrokerProcess.sleep(1000);
        try (RawConnection warm = RawConnection.open(broker.unix(), REQUEST_TIMEOUT)) {
            for (int i = 0; i < 200; i++) {
                warm.requireOk("ping", null);
            }
        }
        BrokerProcess.sleep(500);
        memory(broker, "idle (just started)", "");
        phase(() -> requestLatency(broker, home));

        Map<String, PushProbe> push = new LinkedHashMap<>();
        Map<String, RawConnection> probers = new LinkedHashMap<>();
        try (IdlePeers idle = new IdlePeers(broker.unix(), CWD)) {
            for (String transport : options.transports()) {
                push.put(transport, new PushProbe(broker.endpoint(transport), CWD));
                RawConnection prober = RawConnection.open(broker.endpoint(transport), REQUEST_TIMEOUT);
                prober.register(CWD, "benchprober" + transport);
                probers.put(transport, prober);
            }
            int own = 3 * options.transports().size();
            int maxLevel = 0;
            for (int level : options.peerLevels()) {
                maxLevel = Math.max(maxLevel, level);
                log("registering peers up to %d", level);
                idle.growTo(Math.max(0, level - own));
                int live = livePeers(probers.values().iterator().next());
                for (String transport : options.transports()) {
                    phase(() -> pushLatency(push.get(transport), transport, live + " peers", live));
                    phase(() -> listPeers(probers.get(transport), transport, live));
                }
            }
            for (String transport : options.transports()) {
                phase(() -> emptyPending(probers.get(transport), transport, "fresh store"));
            }
            memory(broker, "with " + livePeers(probers.values().iterator().next()) + " peers connected", "");

            String sink = phaseValue(() -> sinkPeer(broker));
            for (String transport : options.transports()) {
                for (int senders : options.senders()) {
                    phase(() -> throughput(broker, transport, senders, sink));
                }
            }
            phase(() -> fillHistory(broker, sink));
            int messages = storedMessages(probers.values().iterator().next());
            memory(
                    broker,
                    "after " + messages + " messages stored ("
                            + livePeers(probers.values().iterator().next()) + " peers)",
                    "");
            int live = livePeers(probers.values().iterator().next());
            for (String transport : options.transports()) {
                phase(() -> pushLatency(
                        push.get(transport), transport, live + " peers, " + messages + " old messages", live));
                phase(() -> emptyPending(probers.get(transport), transport, messages + " old messages"));
            }

            idle.growTo(Math.max(idle.size(), options.scalePeers() - own));
            phase(() -> responsiveness(broker, idle));
            memory(
                    broker,
                    "after the scale run ("
                            + livePeers(probers.values().iterator().next()) + " peers, "
                            + storedMessages(probers.values().iterator().next()) + " messages)",
                    "");
            report.meta("idle_peers_closed_by_broker", idle.closedByBroker());
            phase(() -> drain(sinks.get(0)));
            String drained = livePeers(probers.values().iterator().next()) + " peers, "
                    + pendingMessages(probers.values().iterator().next()) + " pending";
            memory(broker, "after draining them (" + drained + ")", "");
            // As a user finds it a little later: a quiet broker gives its heap back (IdleHeapShrink). The smoke
            // run (a unit test of the harness) does not wait for it.
            if (!options.preset().equals("smoke")) {
                BrokerProcess.sleep(QUIET_SETTLE.toMillis());
                memory(broker, "after draining them, " + QUIET_SETTLE.toSeconds() + " s quiet (" + drained + ")", "");
            }

            PeersCommands commands = new PeersCommands(options.root(), broker);
            phase(() -> mcpRoundTrip(commands, push.isEmpty() ? null : broker.unix()));
        } finally {
            push.values().forEach(PushProbe::close);
            probers.values().forEach(RawConnection::close);
            sinks.forEach(RawConnection::close);
        }
        PeersCommands commands = new PeersCommands(options.root(), broker);
        phase(() -> coldStarts(commands));
    }

    private void measureSends(BrokerProcess broker) {
        // As in the whole run: the figure is with 1,000 idle peers connected.
        try (IdlePeers idle = new IdlePeers(broker.unix(), CWD)) {
            log("connecting %d idle peers", options.scalePeers());
            idle.growTo(options.scalePeers());
            String sink = phaseValue(() -> sinkPeer(broker));
            for (String transport : options.transports()) {
                for (int senders : options.senders()) {
                    phase(() -> throughput(broker, transport, senders, sink));
                }
            }
            memory(broker, "after " + storedMessages(sinks.get(0)) + " messages stored", "");
        } finally {
            sinks.forEach(RawConnection::close);
        }
    }

    // ------------------------------------------------------------------ phases

    private void pushLatency(PushProbe probe, String transport, String label, int peers) {
        log("push latency over %s with %s", transport, label);
        probe.run(options.warmup());
        Samples all = new Samples();
        List<Double> roundP99 = new ArrayList<>();
        for (int round = 0; round < options.rounds(); round++) {
            Samples samples = probe.run(options.messages());
            roundP99.add(Samples.round(samples.percentileMillis(99)));
            all.addAll(samples);
        }
        Map<String, Object> values = all.summary();
        values.put("p99_per_round", roundP99.toString());
        report.add(
                "push latency, send to recipient's listener (ms)",
                transport + ", " + label,
                values,
                "p99 < 5",
                Report.atMost(all.percentileMillis(99), 5, "ms"));
    }

    private void requestLatency(BrokerProcess broker, Path home) {
        RequestLatency.Size size = RequestLatency.size(options.preset());
        new RequestLatency(broker, home.resolve("echo.sock"), size, line -> log("%s", line)).run(report);
    }

    private void listPeers(RawConnection prober, String transport, int peers) {
        log("list_peers over %s with %d peers", transport, peers);
        for (String scope : List.of("machine", "directory", "repo")) {
            String params = "{\"scope\":\"" + scope + "\"}";
            Samples firstByte = new Samples();
            Samples all = timeRequests(prober, "list_peers", params, firstByte);
            int listed = count(prober.requireOk("list_peers", params).text(), "\"client_type\"");
            Map<String, Object> values = all.summary();
            values.put("listed", listed);
            values.put("first_byte_p50", Samples.round(firstByte.percentileMillis(50)));
            values.put("first_byte_p99", Samples.round(firstByte.percentileMillis(99)));
            boolean targeted = peers >= 1000;
            report.add(
                    "list_peers, request to last byte of the reply (ms; first_byte: to its first bytes)",
                    transport + ", " + peers + " peers, " + scope,
                    values,
                    targeted ? "p50 < 1" : "",
                    targeted ? Report.atMost(all.percentileMillis(50), 1, "ms") : "");
        }
    }

    private void emptyPending(RawConnection prober, String transport, String label) {
        log("empty pending over %s, %s", transport, label);
        Samples all = timeRequests(prober, "pending", "{\"limit\":100}", new Samples());
        report.add(
                "pending with nothing pending (ms)", transport + ", " + label, all.summary(), "flat with history", "");
    }

    /** Times requests to the last byte of their reply; {@code firstByte} gets the time to the first bytes. */
    private Samples timeRequests(RawConnection connection, String method, String params, Samples firstByte) {
        for (int i = 0; i < Math.max(10, options.warmup() / 10); i++) {
            connection.requireOk(method, params);
        }
        Samples all = new Samples();
        for (int round = 0; round < options.rounds(); round++) {
            for (int i = 0; i < options.listSamples(); i++) {
                long start = System.nanoTime();
                RawConnection.Line line = connection.request(method, params);
                if (line.isError()) {
                    throw new IllegalStateException(method + " failed: " + RawConnection.abbreviate(line.text()));
                }
                all.add(line.endNanos() - start);
                firstByte.add(line.firstNanos() - start);
            }
        }
        return all;
    }

    private String sinkPeer(BrokerProcess broker) {
        // Registered, never subscribed: everything sent to it stays pending, the worst case for lookups.
        RawConnection sink = RawConnection.open(broker.unix(), REQUEST_TIMEOUT);
        sinks.add(sink);
        return sink.register("/bench/sink", "benchsink");
    }

    private final List<RawConnection> sinks = new ArrayList<>();

    private void throughput(BrokerProcess broker, String transport, int senders, String sink) {
        Endpoint endpoint = broker.endpoint(transport);
        log("send throughput over %s with %d senders", transport, senders);
        List<RawConnection> connections = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(senders);
        try {
            for (int i = 0; i < senders; i++) {
                RawConnection connection = RawConnection.open(endpoint, REQUEST_TIMEOUT);
                connections.add(connection);
                connection.register("/bench/senders", null);
            }
            String params = "{\"to\":\"" + sink + "\",\"text\":\"" + SEND_TEXT + "\"}";
            runSenders(pool, connections, params, Math.max(senders, options.warmup()));
            List<Double> rates = new ArrayList<>();
            Samples latency = new Samples();
            long[] writerBefore = writerCounts(sinks.get(0));
            long brokerCpuBefore = broker.cpuMicros();
            long benchCpuBefore =
                    BrokerProcess.cpuMicros(ProcessHandle.current().pid());
            for (int round = 0; round < options.rounds(); round++) {
                long start = System.nanoTime();
                Samples roundLatency = runSenders(pool, connections, params, options.sendsPerRound());
                long elapsed = System.nanoTime() - start;
                rates.add((double) Math.round(options.sendsPerRound() * 1e9 / elapsed));
                latency.addAll(roundLatency);
            }
            long brokerCpu = broker.cpuMicros() - brokerCpuBefore;
            long benchCpu = BrokerProcess.cpuMicros(ProcessHandle.current().pid()) - benchCpuBefore;
            long[] writerAfter = writerCounts(sinks.get(0));
            long transactions = writerAfter[0] - writerBefore[0];
            rates.sort(Comparator.naturalOrder());
            double median = rates.get(rates.size() / 2);
            Map<String, Object> values = new LinkedHashMap<>();
            values.put("sends", options.sendsPerRound() * options.rounds());
            values.put("median_per_s", median);
            values.put("per_round", rates.toString());
            values.put("send_p50_ms", Samples.round(latency.percentileMillis(50)));
            values.put("send_p99_ms", Samples.round(latency.percentileMillis(99)));
            // Writes per commit (one fsync each at FULL): whether group commit grows with the senders.
            values.put(
                    "per_commit",
                    transactions == 0
                            ? 0.0
                            : Samples.round((writerAfter[1] - writerBefore[1]) / (double) transactions));
            // CPU per send of the broker and of this client (same 2 cores): the load-independent figure.
            int measured = Math.max(1, options.sendsPerRound() / senders) * senders * options.rounds();
            values.put("broker_cpu_us", Math.round(brokerCpu / (double) measured));
            values.put("client_cpu_us", Math.round(benchCpu / (double) measured));
            values.put("load", loadAverage());
            boolean targeted = senders >= 16;
            report.add(
                    "durable send throughput (acknowledged sends per second)",
                    transport + ", " + senders + " senders",
                    values,
                    targeted ? ">= 10000/s" : "",
                    targeted ? Report.atLeast(median, 10_000, "/s") : "");
        } finally {
            pool.shutdownNow();
            connections.forEach(RawConnection::close);
        }
    }

    /** Each connection sends its share, one request at a time; returns each send's latency. */
    static Samples runSenders(ExecutorService pool, List<RawConnection> connections, String params, int total) {
        return runSenders(pool, connections, java.util.Collections.nCopies(connections.size(), params), total);
    }

    /** As {@link #runSenders(ExecutorService, List, String, int)}, connection i sending {@code params.get(i)}. */
    static Samples runSenders(ExecutorService pool, List<RawConnection> connections, List<String> params, int total) {
        int each = Math.max(1, total / connections.size());
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Samples>> futures = new ArrayList<>();
        for (int c = 0; c < connections.size(); c++) {
            RawConnection connection = connections.get(c);
            String sent = params.get(c);
            futures.add(pool.submit(() -> {
                go.await();
                Samples samples = new Samples();
                for (int i = 0; i < each; i++) {
                    long start = System.nanoTime();
                    RawConnection.Line line = connection.request("send", sent);
                    if (line.isError()) {
                        throw new IllegalStateException("send failed: " + RawConnection.abbreviate(line.text()));
                    }
                    samples.add(line.endNanos() - start);
                }
                return samples;
            }));
        }
        go.countDown();
        Samples all = new Samples();
        for (Future<Samples> future : futures) {
            try {
                all.addAll(future.get(10, TimeUnit.MINUTES));
            } catch (Exception e) {
                throw new IllegalStateException("a sender failed: " + e.getMessage(), e);
            }
        }
        return all;
    }

    private void fillHistory(BrokerProcess broker, String sink) {
        int stored;
        try (RawConnection counter = RawConnection.open(broker.unix(), REQUEST_TIMEOUT)) {
            stored = storedMessages(counter);
        }
        int missing = options.history() - stored;
        report.meta("history_before_fill", stored);
        if (missing <= 0) {
            return;
        }
        log("adding %d messages to reach %d in the store", missing, options.history());
        List<RawConnection> connections = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            for (int i = 0; i < 8; i++) {
                RawConnection connection = RawConnection.open(broker.unix(), REQUEST_TIMEOUT);
                connections.add(connection);
                connection.register("/bench/senders", null);
            }
            runSenders(pool, connections, "{\"to\":\"" + sink + "\",\"text\":\"" + SEND_TEXT + "\"}", missing + 8);
        } finally {
            pool.shutdownNow();
            connections.forEach(RawConnection::close);
        }
    }

    /** The sink reads its whole backlog: {@code pending} then {@code ack}, a page at a time. */
    private void drain(RawConnection sink) {
        int backlog = pendingMessages(sink);
        log("draining %d pending messages", backlog);
        long start = System.nanoTime();
        int acked = 0;
        for (int page = 0; page <= backlog / DRAIN_PAGE + 10; page++) {
            String text =
                    sink.requireOk("pending", "{\"limit\":" + DRAIN_PAGE + "}").text();
            List<String> ids = new ArrayList<>();
            Matcher id = ENVELOPE_ID.matcher(text);
            while (id.find()) {
                ids.add(id.group(1));
            }
            if (ids.isEmpty()) {
                break;
            }
            sink.requireOk("ack", "{\"ids\":[" + String.join(",", ids) + "]}");
            acked += ids.size();
        }
        report.meta("drained_messages", acked);
        report.meta("drain_seconds", Samples.round((System.nanoTime() - start) / 1e9));
    }

    private static final int DRAIN_PAGE = 1000;
    private static final Pattern ENVELOPE_ID = Pattern.compile("\\{\"message\":\\{\"id\":(\\d+)");

    private void responsiveness(BrokerProcess broker, IdlePeers idle) {
        int peers;
        Map<String, RawConnection> pingers = new LinkedHashMap<>();
        try {
            for (String transport : options.transports()) {
                pingers.put(transport, RawConnection.open(broker.endpoint(transport), REQUEST_TIMEOUT));
            }
            RawConnection first = pingers.values().iterator().next();
            peers = livePeers(first);
            log(
                    "responsiveness: %d peers for %d s, pinging every %d ms",
                    peers,
                    options.scaleDuration().toSeconds(),
                    options.pingInterval().toMillis());
            Map<String, Samples> samples = new LinkedHashMap<>();
            pingers.keySet().forEach(t -> samples.put(t, new Samples()));
            String sweepBefore = lastSweep(first);
            long end = System.nanoTime() + options.scaleDuration().toNanos();
            long maxPings = options.scaleDuration().toMillis()
                            / Math.max(1, options.pingInterval().toMillis())
                    + 10;
            for (long i = 0; i < maxPings && System.nanoTime() < end; i++) {
                for (Map.Entry<String, RawConnection> pinger : pingers.entrySet()) {
                    long start = System.nanoTime();
                    RawConnection.Line line = pinger.getValue().requireOk("ping", null);
                    samples.get(pinger.getKey()).add(line.endNanos() - start);
                }
                BrokerProcess.sleep(options.pingInterval().toMillis());
            }
            String sweepAfter = lastSweep(first);
            int connections = intField(first.requireOk("stats", null).text(), "\"connections\":");
            for (Map.Entry<String, Samples> entry : samples.entrySet()) {
                Samples s = entry.getValue();
                Map<String, Object> values = s.summary();
                values.put("over_5ms", s.countAbove(5));
                values.put("seconds", options.scaleDuration().toSeconds());
                values.put("connections", connections);
                values.put("sweeps_ran", sweepBefore == null || !sweepBefore.equals(sweepAfter));
                report.add(
                        "responsiveness: ping while peers stay connected (ms)",
                        entry.getKey() + ", " + peers + " peers",
                        values,
                        "p99 < 5",
                        Report.atMost(s.percentileMillis(99), 5, "ms"));
            }
        } finally {
            pingers.values().forEach(RawConnection::close);
        }
    }

    private void mcpRoundTrip(PeersCommands commands, Endpoint unix) {
        String section = "MCP round trip: send to channel notification on the server's stdout (ms)";
        if (options.mcpRoundTrips() <= 0) {
            report.unavailable(section, "unix", "disabled in this preset");
            return;
        }
        log("MCP round trip (%d messages)", options.mcpRoundTrips());
        try (PeersClient sender = PushProbe.connect(unix)) {
            sender.register(PushProbe.registration(CWD));
            Samples samples = commands.mcpRoundTrips(
                    sender, "benchmcp", Math.max(10, options.mcpRoundTrips() / 10), options.mcpRoundTrips());
            report.add(section, "unix, peers mcp as a child process", samples.summary(), "", "");
        }
    }

    private void coldStarts(PeersCommands commands) {
        String section = "cold start: launch to first answer (ms)";
        if (options.launches() <= 0) {
            report.unavailable(section, "peers mcp", "disabled in this preset");
            report.unavailable(section, "peers status", "disabled in this preset");
            return;
        }
        String launcherMissing = commands.launcherMissing();
        String mcpMissing = commands.mcpMissing();
        // The floor: a JVM that starts and exits, the same java the launcher finds first.
        phase(() -> coldStart(
                section,
                "floor: java -version, to exit",
                0,
                () -> commands.toExit(List.of(PeersCommands.java(), "-Xshare:auto", "-version"))));
        if (launcherMissing == null && mcpMissing == null) {
            phase(() -> coldStart(
                    section,
                    "./peers mcp, to the initialize answer",
                    250,
                    () -> commands.coldStartMcp(commands.launcherMcp())));
            phase(() -> mcpMemory(commands));
        } else {
            report.unavailable(section, "./peers mcp", launcherMissing != null ? launcherMissing : mcpMissing);
        }
        if (launcherMissing == null) {
            phase(() -> coldStart(
                    section,
                    "./peers status, to its first line",
                    200,
                    () -> commands.coldStartStatus(commands.launcherStatus())));
        } else {
            report.unavailable(section, "./peers status", launcherMissing);
        }
        phase(() -> hooks(commands));
        if (mcpMissing == null) {
            // For comparison: the same server on a JVM without the launcher's flags (no class-data archive).
            phase(() -> coldStart(
                    section,
                    "java -cp peers.jar Main mcp (no launcher flags)",
                    500,
                    () -> commands.coldStartMcp(commands.plainMcp(null))));
        } else {
            report.unavailable(section, "java -cp peers.jar Main mcp", mcpMissing);
            // The same SDK server from this benchmark's class path (a bigger jar): an indication meanwhile.
            phase(() -> coldStart(
                    section,
                    "java -cp peers-bench.jar Main mcp (stand-in, no launcher flags)",
                    500,
                    () -> commands.coldStartMcp(PeersCommands.bundledMcp("benchcold"))));
        }
    }

    private void coldStart(String section, String label, double targetMillis, java.util.function.LongSupplier launch) {
        log("cold start: %s (%d launches)", label, options.launches());
        launch.getAsLong(); // one discarded launch fills the page cache
        Samples samples = new Samples();
        for (int i = 0; i < options.launches(); i++) {
            samples.add(launch.getAsLong());
        }
        Map<String, Object> values = samples.summary();
        values.put("min", Samples.round(samples.percentileMillis(0)));
        values.put("load", loadAverage());
        boolean targeted = targetMillis > 0;
        report.add(
                section,
                label,
                values,
                targeted ? "p50 <= " + (int) targetMillis : "",
                targeted ? Report.atMost(samples.percentileMillis(50), targetMillis, "ms") : "");
    }

    /** The MCP server's resident memory after {@code initialize}, through the launcher. */
    private void mcpMemory(PeersCommands commands) {
        log("peers mcp resident memory after initialize");
        List<Double> mib = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            mib.add(Samples.round(commands.mcpResidentKib(commands.launcherMcp()) / 1024.0));
        }
        mib.sort(Comparator.naturalOrder());
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("rss_mib", mib.get(1));
        values.put("runs", mib.toString());
        report.add(
                "peers mcp resident memory (VmRSS, MiB, median of 3)",
                "./peers mcp, 1 s after the initialize answer",
                values,
                "<= 48",
                Report.atMost(mib.get(1), 48, "MiB"));
    }

    /** What Claude Code runs per prompt, per stop and per file edit: the peers hook script on node, against this broker. */
    private void hooks(PeersCommands commands) {
        String section = "cold start: launch to first answer (ms)";
        HookRuns hooks = HookRuns.find(commands);
        if (hooks.missing() != null) {
            report.unavailable(section, "hook (UserPromptSubmit, Stop, PreToolUse)", hooks.missing());
            return;
        }
        phase(() -> coldStart(section, "floor: node -e 0, to exit", 0, hooks::nodeFloor));
        for (String event : List.of("UserPromptSubmit", "Stop", "PreToolUse")) {
            phase(() ->
                    coldStart(section, "hook " + event + ", node peers-hook.cjs to exit", 100, () -> hooks.run(event)));
        }
    }

    /** The one-minute load average, for every timing (the machine is shared). */
    static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (IOException | RuntimeException e) {
            return "?";
        }
    }

    private void memory(BrokerProcess broker, String label, String note) {
        long[] kib = broker.residentKib();
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("rss_mib", Samples.round(kib[0] / 1024.0));
        values.put("peak_mib", Samples.round(kib[1] / 1024.0));
        values.put("load", loadAverage());
        report.add(
                "broker resident memory (VmRSS, MiB)",
                label,
                values,
                "<= 64",
                Report.atMost(kib[0] / 1024.0, 64, "MiB"));
    }

    private void network() {
        PeersCommands commands = new PeersCommands(options.root(), null);
        Path launcher = commands.launcherMissing() == null ? commands.launcher() : null;
        new NetworkBench(options, report, tempParent, launcher, extraBrokerOptions(), line -> log("%s", line)).run();
    }

    private void restartStorm(Path home) {
        int[] size = RestartStorm.size(options.preset());
        log("restart: %d peers, %d messages, in %s", size[0], size[1], home);
        try {
            new RestartStorm(home, size[0], size[1], line -> log("%s", line)).run(report);
        } finally {
            deleteTree(home);
        }
    }

    private Path freshHome() {
        try {
            return Files.createTempDirectory(tempParent, "peers-bench-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ------------------------------------------------------------------ helpers

    private void phase(Runnable body) {
        try {
            body.run();
        } catch (RuntimeException e) {
            report.add("errors", "phase", Map.of("error", String.valueOf(e)), null, null);
            log("phase failed: %s", e);
        }
    }

    private static <T> T phaseValue(java.util.function.Supplier<T> body) {
        return body.get();
    }

    private static int livePeers(RawConnection connection) {
        String stats = connection.requireOk("stats", null).text();
        int at = stats.indexOf("\"peers\":");
        return intField(stats.substring(at), "\"live\":");
    }

    private static int storedMessages(RawConnection connection) {
        String stats = connection.requireOk("stats", null).text();
        String messages = stats.substring(stats.indexOf("\"messages\":"));
        return intField(messages, "\"pending\":")
                + intField(messages, "\"delivered\":")
                + intField(messages, "\"read\":")
                + intField(messages, "\"undeliverable\":");
    }

    /** The writer's {transactions, units} so far (stats' {@code writer}): their growth gives the group size. */
    private static long[] writerCounts(RawConnection connection) {
        String stats = connection.requireOk("stats", null).text();
        String writer = stats.substring(stats.indexOf("\"writer\":"));
        return new long[] {intField(writer, "\"transactions\":"), intField(writer, "\"units\":")};
    }

    private static int pendingMessages(RawConnection connection) {
        String stats = connection.requireOk("stats", null).text();
        return intField(stats.substring(stats.indexOf("\"messages\":")), "\"pending\":");
    }

    private static String lastSweep(RawConnection connection) {
        String stats = connection.requireOk("stats", null).text();
        int at = stats.indexOf("\"last_sweep\":");
        return at < 0 ? null : stats.substring(at, Math.min(stats.length(), at + 45));
    }

    static int intField(String text, String field) {
        int at = text.indexOf(field);
        if (at < 0) {
            throw new IllegalStateException("no " + field + " in " + RawConnection.abbreviate(text));
        }
        int from = at + field.length();
        int to = from;
        while (to < text.length() && Character.isDigit(text.charAt(to))) {
            to++;
        }
        return Integer.parseInt(text.substring(from, to));
    }

    private static int count(String text, String needle) {
        int count = 0;
        for (int at = text.indexOf(needle); at >= 0; at = text.indexOf(needle, at + 1)) {
            count++;
        }
        return count;
    }

    private void log(String format, Object... args) {
        progress.printf(Locale.ROOT, "[peers-bench] " + format + "%n", args);
        progress.flush();
    }

    static void deleteTree(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.deleteIfExists(path);
                } catch (IOException ignored) {
                    // best effort in a temporary folder
                }
            });
        } catch (IOException ignored) {
            // best effort
        }
    }
}
