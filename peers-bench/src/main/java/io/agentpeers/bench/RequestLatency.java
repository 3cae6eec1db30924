package io.agentpeers.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Issue 14's per-request figures over the Unix socket, one request at a time on one connection: ping,
 * an empty {@code pending}, a register on a fresh connection (connect, hello, register) and
 * {@code list_peers} of 1,000 peers, each beside the floor measured in the same run, rounds interleaved
 * with it: an {@link EchoFloor} answering the same client the same way. The ratio to the floor is the
 * figure to compare across machines and loads; the absolute targets are the issue's.
 */
final class RequestLatency {
    static final String SECTION = "per request over the Unix socket, to the last byte of the reply (ms;"
            + " x_floor: p50 over the echo floor's p50 in the same run)";
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final String CWD = "/bench/requests";

    /** How many of each, split over {@code rounds} rounds interleaved with the floor. */
    record Size(int warmup, int samples, int registrations, int lists, int rounds, int peers) {}

    static Size size(String preset) {
        return switch (preset) {
            case "smoke" -> new Size(10, 40, 10, 10, 2, 12);
            case "quick" -> new Size(100, 1_000, 200, 200, 2, 1_000);
            default -> new Size(300, 3_000, 600, 600, 3, 1_000);
        };
    }

    private final BrokerProcess broker;
    private final Path floorSocket;
    private final Size size;
    private final Consumer<String> log;

    RequestLatency(BrokerProcess broker, Path floorSocket, Size size, Consumer<String> log) {
        this.broker = broker;
        this.floorSocket = floorSocket;
        this.size = size;
        this.log = log;
    }

    void run(Report report) {
        Endpoint unix = broker.unix();
        try (EchoFloor floor = EchoFloor.start(floorSocket);
                RawConnection echo = RawConnection.connect(floor.endpoint(), TIMEOUT);
                RawConnection pinger = RawConnection.open(unix, TIMEOUT);
                RawConnection prober = RawConnection.open(unix, TIMEOUT)) {
            prober.register(CWD, "benchrequests");
            String pendingParams = "{\"limit\":100}";
            warm(echo, "ping", null);
            warm(pinger, "ping", null);
            warm(prober, "pending", pendingParams);
            for (int i = 0; i < size.warmup() / 10 + 1; i++) {
                registerOnFreshConnection(unix);
                echoOnFreshConnection(floor.endpoint());
            }

            log.accept("requests: echo floor, ping, empty pending, register on a fresh connection (" + size.samples()
                    + " each, " + size.rounds() + " rounds)");
            Samples floorSamples = new Samples();
            Samples freshFloor = new Samples();
            Samples ping = new Samples();
            Samples pending = new Samples();
            Samples register = new Samples();
            int perRound = Math.max(1, size.samples() / size.rounds());
            int registersPerRound = Math.max(1, size.registrations() / size.rounds());
            for (int round = 0; round < size.rounds(); round++) {
                time(echo, "ping", null, perRound, floorSamples);
                time(pinger, "ping", null, perRound, ping);
                time(prober, "pending", pendingParams, perRound, pending);
                for (int i = 0; i < registersPerRound; i++) {
                    freshFloor.add(echoOnFreshConnection(floor.endpoint()));
                    register.add(registerOnFreshConnection(unix));
                }
            }
            double floorP50 = floorSamples.percentileMillis(50);
            add(report, "echo floor (JDK Unix socket channel, one thread)", floorSamples, floorP50, 0);
            add(report, "ping", ping, floorP50, 0.06);
            add(report, "pending, nothing pending", pending, floorP50, 0.10);
            add(report, "echo floor, fresh connection (connect + one echo)", freshFloor, floorP50, 0);
            add(report, "register, fresh connection (connect + hello + register)", register, floorP50, 0.5);

            try (IdlePeers idle = new IdlePeers(unix, CWD)) {
                log.accept("requests: " + size.peers() + " peers connected for list_peers");
                idle.growTo(size.peers() - 3);
                warm(prober, "list_peers", null);
                Samples listFloor = new Samples();
                Samples list = new Samples();
                Samples busyPing = new Samples();
                int listsPerRound = Math.max(1, size.lists() / size.rounds());
                for (int round = 0; round < size.rounds(); round++) {
                    time(echo, "ping", null, perRound, listFloor);
                    time(prober, "list_peers", null, listsPerRound, list);
                    time(pinger, "ping", null, perRound, busyPing);
                }
                int listed = count(prober.requireOk("list_peers", null).text(), "\"client_type\"");
                double busyFloorP50 = listFloor.percentileMillis(50);
                add(report, "echo floor, while " + listed + " peers are connected", listFloor, busyFloorP50, 0);
                add(report, "list_peers of " + listed + " peers", list, busyFloorP50, 1.0);
                add(report, "ping, " + listed + " peers connected", busyPing, busyFloorP50, 0.06);
            }
        }
    }

    private void warm(RawConnection connection, String method, String params) {
        for (int i = 0; i < size.warmup(); i++) {
            connection.requireOk(method, params);
        }
    }

    private static void time(RawConnection connection, String method, String params, int count, Samples into) {
        for (int i = 0; i < count; i++) {
            long start = System.nanoTime();
            RawConnection.Line line = connection.request(method, params);
            if (line.isError()) {
                throw new IllegalStateException(method + " failed: " + RawConnection.abbreviate(line.text()));
            }
            into.add(line.endNanos() - start);
        }
    }

    /** Connect, hello and register, to the last byte of register's reply; the close is not timed. */
    private static long registerOnFreshConnection(Endpoint unix) {
        long start = System.nanoTime();
        try (RawConnection connection = RawConnection.open(unix, TIMEOUT)) {
            connection.register(CWD, null);
            return System.nanoTime() - start;
        }
    }

    private static long echoOnFreshConnection(Endpoint floor) {
        long start = System.nanoTime();
        try (RawConnection connection = RawConnection.connect(floor, TIMEOUT)) {
            connection.requireOk("ping", null);
            return System.nanoTime() - start;
        }
    }

    private static void add(Report report, String label, Samples samples, double floorP50, double targetMillis) {
        Map<String, Object> values = new LinkedHashMap<>(samples.summary());
        values.remove("p90");
        double p50 = samples.percentileMillis(50);
        values.put("x_floor", Samples.round(p50 / floorP50));
        if (targetMillis > 0) {
            values.put("target_x_floor", Samples.round(targetMillis / floorP50));
        }
        report.add(
                SECTION,
                label,
                values,
                targetMillis > 0 ? "p50 <= " + targetMillis : "",
                targetMillis > 0 ? Report.atMost(p50, targetMillis, "ms") : "");
    }

    private static int count(String text, String needle) {
        int count = 0;
        for (int at = text.indexOf(needle); at >= 0; at = text.indexOf(needle, at + 1)) {
            count++;
        }
        return count;
    }
}
