package io.agentpeers.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;

/**
 * Issue 15's benchmarks: several broker processes on one PostgreSQL schema, each figure beside the same one of a
 * single SQLite broker measured in this run (ratio {@code x_sqlite}), every broker with the same idle peers
 * connected (1,000 each). Cross-broker push latency with two brokers; durable sends with three brokers of 16
 * senders each, every send to a peer of another broker; {@code list_peers} in scope {@code network} over three
 * brokers of 1,000 peers; and what the bell costs under that load: the same sends with the trigger that NOTIFYs
 * the recipient's broker enabled and disabled, round by round, with the database's commits per second.
 */
final class NetworkBench {
    /** The section of the rows that say why the network benchmark did not run. */
    static final String SECTION = "network: several brokers on one PostgreSQL";

    static final String PUSH = "network: push latency, send to recipient's listener (ms; x_sqlite: p50 and p99 ratios)";
    static final String SENDS = "network: durable send throughput (acknowledged sends/s; x_sqlite: ratio)";
    static final String LIST = "network: list_peers, request to last byte (ms; x_sqlite: p50 ratio)";
    static final String NOTIFY = "network: the cost of NOTIFY under load (sends/s and commits/s, bell on and off)";
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final int SENDERS_PER_BROKER = 16;
    private static final String BELL = "messages_ring";

    private final BenchOptions options;
    private final Report report;
    private final Path tempParent;
    private final Path launcher;
    private final List<String> jvmOptions;
    private final Consumer<String> log;

    /** The single SQLite broker's figures of this run. */
    private Samples sqlitePush;

    private Samples sqliteList;
    private double sqliteRate = Double.NaN;

    NetworkBench(
            BenchOptions options,
            Report report,
            Path tempParent,
            Path launcher,
            List<String> jvmOptions,
            Consumer<String> log) {
        this.options = options;
        this.report = report;
        this.tempParent = tempParent;
        this.launcher = launcher;
        this.jvmOptions = jvmOptions;
        this.log = log;
    }

    void run() {
        log.accept("network: finding a PostgreSQL (" + BenchPostgres.VARIABLE + ", else a throwaway cluster)");
        BenchPostgres.Result found = BenchPostgres.find();
        if (found.database() == null) {
            for (String section : List.of(PUSH, SENDS, LIST, NOTIFY)) {
                report.add(
                        section,
                        "several brokers on PostgreSQL",
                        Map.of("result", "skipped: " + found.missing()),
                        null,
                        null);
            }
            log.accept("network: skipped: " + found.missing());
            return;
        }
        try (BenchPostgres db = found.database()) {
            report.meta("network_database", db.source());
            sqliteBroker();
            postgresBrokers(db);
        }
    }

    // ------------------------------------------------------------------ one SQLite broker

    private void sqliteBroker() {
        Path home = home("sqlite");
        log.accept("network: the single SQLite broker, " + peers() + " peers");
        try (BrokerProcess broker = BrokerProcess.start(home, options.sweep(), jvmOptions, launcher);
                IdlePeers idle = new IdlePeers(broker.unix(), PeersBench.CWD)) {
            report.meta("network_sqlite_broker_pid", broker.pid());
            idle.growTo(Math.max(0, peers() - 3));
            try (PushProbe probe = new PushProbe(broker.unix(), PeersBench.CWD)) {
                sqlitePush = push(probe);
            }
            report.add(PUSH, "1 SQLite broker, same broker, " + peers() + " peers", sqlitePush.summary(), "", "");
            try (RawConnection prober = RawConnection.open(broker.unix(), TIMEOUT)) {
                prober.register(PeersBench.CWD, "benchnetprober");
                sqliteList = list(prober, "machine");
                report.add(
                        LIST,
                        "1 SQLite broker, " + peers() + " peers, machine",
                        listValues(prober, "machine", sqliteList),
                        "",
                        "");
            }
            Map<String, Object> rate = throughput(List.of(broker), null, options.rounds());
            sqliteRate = (double) rate.get("median_per_s");
            report.add(SENDS, "1 SQLite broker x " + SENDERS_PER_BROKER + " senders", rate, "", "");
        } finally {
            PeersBench.deleteTree(home);
        }
    }

    // ------------------------------------------------------------------ brokers on PostgreSQL

    private void postgresBrokers(BenchPostgres db) {
        List<BrokerProcess> brokers = new ArrayList<>();
        List<IdlePeers> idle = new ArrayList<>();
        List<Path> homes = new ArrayList<>();
        try {
            for (String name : List.of("a", "b", "c")) {
                Path home = home("pg-" + name);
                homes.add(home);
                Map<String, String> env = new HashMap<>(db.brokerEnv());
                env.put("PEERS_HOST", "bench-" + name);
                log.accept("network: broker " + name + " on " + db.brokerUrl());
                BrokerProcess broker = BrokerProcess.start(home, options.sweep(), jvmOptions, launcher, env);
                brokers.add(broker);
                report.meta(
                        "network_broker_pids",
                        brokers.stream().map(BrokerProcess::pid).toList().toString());
                IdlePeers peers = new IdlePeers(broker.unix(), PeersBench.CWD);
                idle.add(peers);
                log.accept("network: " + peers() + " idle peers on broker " + name);
                peers.growTo(Math.max(0, peers() - 3));
            }
            BrokerProcess a = brokers.get(0);
            BrokerProcess b = brokers.get(1);
            try (PushProbe same = new PushProbe(a.unix(), a.unix(), PeersBench.CWD)) {
                Samples samples = push(same);
                report.add(PUSH, "PostgreSQL, same broker, " + peers() + " peers", withPushRatios(samples), "", "");
            }
            try (PushProbe across = new PushProbe(b.unix(), a.unix(), PeersBench.CWD)) {
                Samples samples = push(across);
                report.add(
                        PUSH,
                        "PostgreSQL, 2 brokers: sender on a, recipient on b (" + peers() + " peers each)",
                        withPushRatios(samples),
                        "",
                        "");
            }
            try (RawConnection prober = RawConnection.open(a.unix(), TIMEOUT)) {
                prober.register(PeersBench.CWD, "benchnetprober");
                for (String scope : List.of("machine", "network")) {
                    Samples samples = list(prober, scope);
                    Map<String, Object> values = listValues(prober, scope, samples);
                    values.put("x_sqlite", ratio(samples.percentileMillis(50), sqliteList.percentileMillis(50)));
                    report.add(LIST, "PostgreSQL, 3 brokers x " + peers() + " peers, " + scope, values, "", "");
                }
            }
            Map<String, Object> rate = throughput(brokers, db, options.rounds());
            rate.put("x_sqlite", ratio((double) rate.get("median_per_s"), sqliteRate));
            report.add(
                    SENDS,
                    "PostgreSQL, 3 brokers x " + SENDERS_PER_BROKER + " senders, each to a peer of the next broker",
                    rate,
                    "",
                    "");
            phaseNotify(brokers, db);
        } finally {
            idle.forEach(IdlePeers::close);
            brokers.forEach(BrokerProcess::close);
            homes.forEach(PeersBench::deleteTree);
        }
    }

    /** The same load, round by round with the bell's trigger on and then off (off: the fallback poll delivers). */
    private void phaseNotify(List<BrokerProcess> brokers, BenchPostgres db) {
        List<Double> on = new ArrayList<>();
        List<Double> off = new ArrayList<>();
        List<Double> commitsOn = new ArrayList<>();
        List<Double> commitsOff = new ArrayList<>();
        try {
            for (int round = 0; round < options.rounds(); round++) {
                for (boolean bell : new boolean[] {true, false}) {
                    db.execute("ALTER TABLE messages " + (bell ? "ENABLE" : "DISABLE") + " TRIGGER " + BELL);
                    log.accept("network: NOTIFY cost, round " + (round + 1) + ", bell " + (bell ? "on" : "off"));
                    Map<String, Object> values = throughput(brokers, db, 1);
                    (bell ? on : off).add((double) values.get("median_per_s"));
                    (bell ? commitsOn : commitsOff).add((double) values.get("commits_per_s"));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot switch the bell's trigger: " + e.getMessage(), e);
        } finally {
            try {
                db.execute("ALTER TABLE messages ENABLE TRIGGER " + BELL);
            } catch (SQLException e) {
                log.accept("network: could not enable the trigger again: " + e.getMessage());
            }
        }
        double withBell = median(on);
        double without = median(off);
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("bell_on_per_s", withBell);
        values.put("bell_off_per_s", without);
        values.put("cost_pct", Samples.round(100 * (1 - withBell / without)));
        values.put("commits_on_per_s", median(commitsOn));
        values.put("commits_off_per_s", median(commitsOff));
        values.put("per_round_on", on.toString());
        values.put("per_round_off", off.toString());
        values.put("load", PeersBench.loadAverage());
        report.add(
                NOTIFY,
                "PostgreSQL, 3 brokers x " + SENDERS_PER_BROKER + " senders, every send rings another broker",
                values,
                "",
                "");
    }

    // ------------------------------------------------------------------ measurements

    private Samples push(PushProbe probe) {
        probe.run(Math.min(options.warmup(), 200));
        Samples all = new Samples();
        for (int round = 0; round < options.rounds(); round++) {
            all.addAll(probe.run(pushMessages()));
        }
        return all;
    }

    private Map<String, Object> withPushRatios(Samples samples) {
        Map<String, Object> values = samples.summary();
        values.put("x_sqlite_p50", ratio(samples.percentileMillis(50), sqlitePush.percentileMillis(50)));
        values.put("x_sqlite_p99", ratio(samples.percentileMillis(99), sqlitePush.percentileMillis(99)));
        values.put("load", PeersBench.loadAverage());
        return values;
    }

    private Samples list(RawConnection prober, String scope) {
        String params = "{\"scope\":\"" + scope + "\"}";
        for (int i = 0; i < 10; i++) {
            prober.requireOk("list_peers", params);
        }
        Samples all = new Samples();
        for (int i = 0; i < options.listSamples() * options.rounds(); i++) {
            long start = System.nanoTime();
            RawConnection.Line line = prober.request("list_peers", params);
            if (line.isError()) {
                throw new IllegalStateException("list_peers failed: " + RawConnection.abbreviate(line.text()));
            }
            all.add(line.endNanos() - start);
        }
        return all;
    }

    private static Map<String, Object> listValues(RawConnection prober, String scope, Samples samples) {
        Map<String, Object> values = samples.summary();
        String text =
                prober.requireOk("list_peers", "{\"scope\":\"" + scope + "\"}").text();
        int listed = 0;
        for (int at = text.indexOf("\"client_type\""); at >= 0; at = text.indexOf("\"client_type\"", at + 1)) {
            listed++;
        }
        values.put("listed", listed);
        values.put("reply_kib", Samples.round(text.length() / 1024.0));
        values.put("load", PeersBench.loadAverage());
        return values;
    }

    /**
     * {@link #SENDERS_PER_BROKER} senders on each broker, each sending to a sink peer (registered, never
     * subscribed) of the next broker, or of its own when there is one broker; {@code rounds} rounds of
     * {@code sendsPerRound} sends each. With {@code db}, also the database's commits per second.
     */
    private Map<String, Object> throughput(List<BrokerProcess> brokers, BenchPostgres db, int rounds) {
        List<RawConnection> sinks = new ArrayList<>();
        List<RawConnection> senders = new ArrayList<>();
        List<String> params = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(SENDERS_PER_BROKER * brokers.size());
        try {
            List<String> sinkIds = new ArrayList<>();
            for (BrokerProcess broker : brokers) {
                RawConnection sink = RawConnection.open(broker.unix(), TIMEOUT);
                sinks.add(sink);
                sinkIds.add(sink.register("/bench/sink", null));
            }
            for (int i = 0; i < brokers.size(); i++) {
                String to = sinkIds.get((i + 1) % brokers.size());
                for (int s = 0; s < SENDERS_PER_BROKER; s++) {
                    RawConnection sender = RawConnection.open(brokers.get(i).unix(), TIMEOUT);
                    senders.add(sender);
                    sender.register("/bench/senders", null);
                    params.add("{\"to\":\"" + to + "\",\"text\":\"" + PeersBench.SEND_TEXT + "\"}");
                }
            }
            PeersBench.runSenders(pool, senders, params, Math.max(senders.size(), Math.min(options.warmup(), 1000)));
            List<Double> rates = new ArrayList<>();
            List<Double> commitRates = new ArrayList<>();
            Samples latency = new Samples();
            long cpuBefore = cpu(brokers);
            for (int round = 0; round < rounds; round++) {
                long commitsBefore = db == null ? 0 : commits(db, true);
                long start = System.nanoTime();
                latency.addAll(PeersBench.runSenders(pool, senders, params, options.sendsPerRound()));
                long elapsed = System.nanoTime() - start;
                rates.add((double) Math.round(sent(senders.size()) * 1e9 / elapsed));
                if (db != null) {
                    commitRates.add((double) Math.round((commits(db, true) - commitsBefore) * 1e9 / elapsed));
                }
            }
            long cpu = cpu(brokers) - cpuBefore;
            Map<String, Object> values = new LinkedHashMap<>();
            values.put("sends", sent(senders.size()) * rounds);
            values.put("median_per_s", median(rates));
            values.put("per_round", rates.toString());
            values.put("send_p50_ms", Samples.round(latency.percentileMillis(50)));
            values.put("send_p99_ms", Samples.round(latency.percentileMillis(99)));
            if (db != null) {
                values.put("commits_per_s", median(commitRates));
            }
            values.put("brokers_cpu_us", Math.round(cpu / (double) (sent(senders.size()) * rounds)));
            values.put("load", PeersBench.loadAverage());
            return values;
        } finally {
            pool.shutdownNow();
            senders.forEach(RawConnection::close);
            sinks.forEach(RawConnection::close);
        }
    }

    /** The sends of one round: each of {@code senders} sends its share (see {@link PeersBench#runSenders}). */
    private int sent(int senders) {
        return Math.max(1, options.sendsPerRound() / senders) * senders;
    }

    /**
     * The database's commit count, after waiting out the statistics' flush (a backend reports about once a
     * second): the wait lies outside the timed round.
     */
    private static long commits(BenchPostgres db, boolean settle) {
        if (settle) {
            BrokerProcess.sleep(1100);
        }
        try {
            return db.commits();
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read pg_stat_database: " + e.getMessage(), e);
        }
    }

    private static long cpu(List<BrokerProcess> brokers) {
        return brokers.stream().mapToLong(BrokerProcess::cpuMicros).sum();
    }

    // ------------------------------------------------------------------ helpers

    private int peers() {
        return options.scalePeers();
    }

    private int pushMessages() {
        return Math.min(options.messages(), 2000);
    }

    private Path home(String name) {
        try {
            return Files.createTempDirectory(tempParent, "peers-bench-" + name + "-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static double median(List<Double> values) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(Comparator.naturalOrder());
        return sorted.get(sorted.size() / 2);
    }

    private static double ratio(double value, double base) {
        return Double.isNaN(value) || Double.isNaN(base) || base == 0 ? Double.NaN : Samples.round(value / base);
    }
}
