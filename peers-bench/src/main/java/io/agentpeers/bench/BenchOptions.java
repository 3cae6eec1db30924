package io.agentpeers.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * How much to measure. {@link #full()} is what the issue asks for (about 15 minutes on a 2-core
 * machine), {@link #quick()} the same shape in about two minutes, {@link #smoke()} seconds (the unit test).
 *
 * @param peerLevels       peers registered while push latency and list_peers are measured
 * @param warmup           messages (and requests) sent and discarded before each measurement
 * @param messages         push-latency messages per round
 * @param rounds           rounds of each latency and throughput measurement
 * @param listSamples      list_peers (and pending) requests per case and round
 * @param sendsPerRound    acknowledged sends per throughput round (split among the senders)
 * @param senders          concurrent sender counts
 * @param history          old messages the store holds before the history cases
 * @param scalePeers       connected peers during the responsiveness run
 * @param scaleDuration    how long the responsiveness run lasts
 * @param pingInterval     pause between two pings of the responsiveness run
 * @param mcpRoundTrips    MCP round trips measured (after a tenth as many to warm up)
 * @param launches         cold starts of each command
 * @param sweep            the broker's liveness sweep period (its default, 5 s)
 * @param transports       "unix", "tcp"
 * @param root             the repository (peers-app/target/peers.jar, ./peers); null when unknown
 * @param json             where the JSON goes
 * @param only             null for everything, {@code commands} for the MCP round trip and cold starts alone,
 *                         {@code sends} for the send throughput alone, {@code restart} for the restart storm alone,
 *                         {@code network} for the brokers on PostgreSQL alone
 */
record BenchOptions(
        String preset,
        int[] peerLevels,
        int warmup,
        int messages,
        int rounds,
        int listSamples,
        int sendsPerRound,
        int[] senders,
        int history,
        int scalePeers,
        Duration scaleDuration,
        Duration pingInterval,
        int mcpRoundTrips,
        int launches,
        Duration sweep,
        List<String> transports,
        Path root,
        Path json,
        String only) {

    static BenchOptions full() {
        return new BenchOptions(
                "full",
                new int[] {10, 100, 1000},
                1000,
                10_000,
                3,
                400,
                10_000,
                new int[] {1, 4, 16},
                100_000,
                1000,
                Duration.ofSeconds(120),
                Duration.ofMillis(5),
                1000,
                10,
                Duration.ofSeconds(5),
                List.of("unix", "tcp"),
                guessRoot(),
                null,
                null);
    }

    static BenchOptions quick() {
        return new BenchOptions(
                "quick",
                new int[] {10, 100, 1000},
                300,
                2_000,
                2,
                200,
                5_000,
                new int[] {1, 4, 16},
                20_000,
                1000,
                Duration.ofSeconds(20),
                Duration.ofMillis(5),
                200,
                5,
                Duration.ofSeconds(5),
                List.of("unix", "tcp"),
                guessRoot(),
                null,
                null);
    }

    static BenchOptions smoke() {
        return new BenchOptions(
                "smoke",
                new int[] {8, 12},
                10,
                50,
                1,
                20,
                200,
                new int[] {1, 4},
                300,
                20,
                Duration.ofSeconds(2),
                Duration.ofMillis(5),
                5,
                0,
                Duration.ofSeconds(1),
                List.of("unix", "tcp"),
                guessRoot(),
                null,
                null);
    }

    /** Parses {@code --quick}, {@code --smoke}, {@code --json PATH}, {@code --root DIR}, {@code --scale-seconds N}, ... */
    static BenchOptions parse(String[] args) {
        BenchOptions options = full();
        List<String> list = Arrays.asList(args);
        if (list.contains("--quick")) {
            options = quick();
        }
        if (list.contains("--smoke")) {
            options = smoke();
        }
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            switch (arg) {
                case "--quick", "--smoke", "--full" -> {}
                case "--json" -> options = options.with("json", value(args, ++i, arg));
                case "--root" -> options = options.with("root", value(args, ++i, arg));
                case "--scale-seconds" -> options = options.with("scale", value(args, ++i, arg));
                case "--messages" -> options = options.with("messages", value(args, ++i, arg));
                case "--rounds" -> options = options.with("rounds", value(args, ++i, arg));
                case "--launches" -> options = options.with("launches", value(args, ++i, arg));
                case "--history" -> options = options.with("history", value(args, ++i, arg));
                case "--transports" -> options = options.with("transports", value(args, ++i, arg));
                case "--senders" -> options = options.with("senders", value(args, ++i, arg));
                case "--only" -> {
                    String value = value(args, ++i, arg);
                    if (!PeersBench.COMMANDS_ONLY.equals(value)
                            && !PeersBench.SENDS_ONLY.equals(value)
                            && !PeersBench.RESTART_ONLY.equals(value)
                            && !PeersBench.REQUESTS_ONLY.equals(value)
                            && !PeersBench.NETWORK_ONLY.equals(value)) {
                        throw new UsageException("--only takes: commands, sends, restart, requests, network");
                    }
                    options = new BenchOptions(
                            options.preset,
                            options.peerLevels,
                            options.warmup,
                            options.messages,
                            options.rounds,
                            options.listSamples,
                            options.sendsPerRound,
                            options.senders,
                            options.history,
                            options.scalePeers,
                            options.scaleDuration,
                            options.pingInterval,
                            options.mcpRoundTrips,
                            options.launches,
                            options.sweep,
                            options.transports,
                            options.root,
                            options.json,
                            value);
                }
                case "-h", "--help" -> throw new UsageException(usage());
                default -> throw new UsageException("unknown option " + arg + "\n" + usage());
            }
        }
        return options;
    }

    static String usage() {
        return """
                usage: java -jar peers-bench/target/peers-bench.jar [--quick | --smoke] [options]
                  (no preset)        the full run the issue asks for (about 15 minutes)
                  --quick            same shape, fewer samples and a 20 s scale run (about 2 minutes)
                  --json PATH        where to write the JSON (default peers-bench/target/bench-result.json)
                  --root DIR         the repository, for peers.jar and ./peers (default: found from the jar)
                  --scale-seconds N  length of the 1,000-peer responsiveness run
                  --messages N       push-latency messages per round
                  --rounds N         rounds of each measurement
                  --launches N       cold starts of each command
                  --history N        old messages in the store for the history cases
                  --transports LIST  unix,tcp (default both)
                  --senders LIST     concurrent senders of the throughput runs (default 1,4,16)
                  --only commands    only the MCP round trip and the cold starts
                  --only sends       only the durable send throughput, with 1,000 idle peers connected (and the
                                     footprint after it)
                  --only restart     only the peers reconnecting after a broker restart (2,000 peers,
                                     100,000 messages waiting; 20,000 with --quick)
                  --only requests    only ping, empty pending, register on a fresh connection and
                                     list_peers of 1,000 peers, each beside an echo over a Unix socket
                  --only network     only several brokers on one PostgreSQL (PEERS_BENCH_PG, or a throwaway
                                     cluster from /usr/lib/postgresql/N/bin), beside one SQLite broker""";
    }

    private static String value(String[] args, int index, String option) {
        if (index >= args.length) {
            throw new UsageException(option + " needs a value");
        }
        return args[index];
    }

    private BenchOptions with(String field, String value) {
        try {
            return switch (field) {
                case "json" ->
                    new BenchOptions(
                            preset,
                            peerLevels,
                            warmup,
                            messages,
                            rounds,
                            listSamples,
                            sendsPerRound,
                            senders,
                            history,
                            scalePeers,
                            scaleDuration,
                            pingInterval,
                            mcpRoundTrips,
                            launches,
                            sweep,
                            transports,
                            root,
                            Path.of(value),
                            only);
                case "root" -> withRoot(Path.of(value));
                case "scale" -> withScale(Duration.ofSeconds(Long.parseLong(value)));
                case "messages" ->
                    new BenchOptions(
                            preset,
                            peerLevels,
                            warmup,
                            Integer.parseInt(value),
                            rounds,
                            listSamples,
                            sendsPerRound,
                            senders,
                            history,
                            scalePeers,
                            scaleDuration,
                            pingInterval,
                            mcpRoundTrips,
                            launches,
                            sweep,
                            transports,
                            root,
                            json,
                            only);
                case "rounds" ->
                    new BenchOptions(
                            preset,
                            peerLevels,
                            warmup,
                            messages,
                            Integer.parseInt(value),
                            listSamples,
                            sendsPerRound,
                            senders,
                            history,
                            scalePeers,
                            scaleDuration,
                            pingInterval,
                            mcpRoundTrips,
                            launches,
                            sweep,
                            transports,
                            root,
                            json,
                            only);
                case "launches" ->
                    new BenchOptions(
                            preset,
                            peerLevels,
                            warmup,
                            messages,
                            rounds,
                            listSamples,
                            sendsPerRound,
                            senders,
                            history,
                            scalePeers,
                            scaleDuration,
                            pingInterval,
                            mcpRoundTrips,
                            Integer.parseInt(value),
                            sweep,
                            transports,
                            root,
                            json,
                            only);
                case "history" ->
                    new BenchOptions(
                            preset,
                            peerLevels,
                            warmup,
                            messages,
                            rounds,
                            listSamples,
                            sendsPerRound,
                            senders,
                            Integer.parseInt(value),
                            scalePeers,
                            scaleDuration,
                            pingInterval,
                            mcpRoundTrips,
                            launches,
                            sweep,
                            transports,
                            root,
                            json,
                            only);
                case "transports" -> {
                    List<String> chosen = List.of(value.split(","));
                    if (chosen.isEmpty() || !Set.of("unix", "tcp").containsAll(chosen)) {
                        throw new UsageException("--transports takes unix, tcp or unix,tcp");
                    }
                    yield new BenchOptions(
                            preset,
                            peerLevels,
                            warmup,
                            messages,
                            rounds,
                            listSamples,
                            sendsPerRound,
                            senders,
                            history,
                            scalePeers,
                            scaleDuration,
                            pingInterval,
                            mcpRoundTrips,
                            launches,
                            sweep,
                            chosen,
                            root,
                            json,
                            only);
                }
                case "senders" -> {
                    int[] counts = Arrays.stream(value.split(","))
                            .mapToInt(Integer::parseInt)
                            .toArray();
                    if (counts.length == 0 || Arrays.stream(counts).anyMatch(n -> n < 1 || n > 256)) {
                        throw new UsageException("--senders takes a list of counts from 1 to 256, e.g. 1,4,16");
                    }
                    yield new BenchOptions(
                            preset,
                            peerLevels,
                            warmup,
                            messages,
                            rounds,
                            listSamples,
                            sendsPerRound,
                            counts,
                            history,
                            scalePeers,
                            scaleDuration,
                            pingInterval,
                            mcpRoundTrips,
                            launches,
                            sweep,
                            transports,
                            root,
                            json,
                            only);
                }
                default -> throw new IllegalArgumentException(field);
            };
        } catch (NumberFormatException e) {
            throw new UsageException("not a whole number: " + value);
        }
    }

    BenchOptions withRoot(Path value) {
        return new BenchOptions(
                preset,
                peerLevels,
                warmup,
                messages,
                rounds,
                listSamples,
                sendsPerRound,
                senders,
                history,
                scalePeers,
                scaleDuration,
                pingInterval,
                mcpRoundTrips,
                launches,
                sweep,
                transports,
                value,
                json,
                only);
    }

    BenchOptions withScale(Duration value) {
        return new BenchOptions(
                preset,
                peerLevels,
                warmup,
                messages,
                rounds,
                listSamples,
                sendsPerRound,
                senders,
                history,
                scalePeers,
                value,
                pingInterval,
                mcpRoundTrips,
                launches,
                sweep,
                transports,
                root,
                json,
                only);
    }

    BenchOptions withJson(Path value) {
        return new BenchOptions(
                preset,
                peerLevels,
                warmup,
                messages,
                rounds,
                listSamples,
                sendsPerRound,
                senders,
                history,
                scalePeers,
                scaleDuration,
                pingInterval,
                mcpRoundTrips,
                launches,
                sweep,
                transports,
                root,
                value,
                only);
    }

    /** Where the JSON goes when not told. */
    Path jsonOrDefault() {
        if (json != null) {
            return json;
        }
        return root != null ? root.resolve("peers-bench/target/bench-result.json") : Path.of("bench-result.json");
    }

    /** The repository: the folder above {@code peers-bench/target/peers-bench.jar}, or the working directory. */
    static Path guessRoot() {
        String classPath = System.getProperty("java.class.path", "");
        Path jar = Path.of(classPath.split(java.io.File.pathSeparator)[0]).toAbsolutePath();
        for (Path dir = jar.getParent(); dir != null; dir = dir.getParent()) {
            if (Files.isDirectory(dir.resolve("peers-app")) && Files.exists(dir.resolve("pom.xml"))) {
                return dir;
            }
        }
        Path cwd = Path.of("").toAbsolutePath();
        return Files.isDirectory(cwd.resolve("peers-app")) ? cwd : null;
    }

    /** A command-line mistake: the message is the usage. */
    static final class UsageException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }
}
