package io.agentpeers.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentpeers.local.BrokerStarter;
import io.agentpeers.local.ProcessEnd;
import io.agentpeers.protocol.BrokerStats;
import io.agentpeers.protocol.PeersPaths;
import io.agentpeers.protocol.client.PeersClient;
import io.agentpeers.protocol.codec.BrokerJson;
import io.agentpeers.transport.unix.SocketFileState;
import io.agentpeers.transport.unix.SocketFiles;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code peers broker run|start|stop|status} and the seed's {@code peers kill-broker}. */
public final class BrokerCommands {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(20);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(15);
    /** How long a stop may take before it says what it waits for. */
    private static final Duration QUIET_WAIT = Duration.ofSeconds(1);
    /** How long a broker that a client started on its own waits for a connection before it stops. */
    static final Duration AUTO_IDLE = Duration.ofMinutes(10);

    private BrokerCommands() {}

    /** The command that runs a broker in the foreground with this program: {@code <self> broker run}. */
    static List<String> brokerCommand(CliContext context) {
        List<String> command = new ArrayList<>();
        List<String> self = context.selfCommand();
        if (self.size() > 1) {
            // Java directly: give the broker the small-footprint flags the launcher script would.
            command.add(self.get(0));
            command.addAll(BrokerStarter.JVM_OPTIONS);
            command.addAll(self.subList(1, self.size()));
        } else {
            command.addAll(self);
        }
        command.add("broker");
        command.add("run");
        return command;
    }

    /** A starter that runs this program's {@code broker run} detached; the MCP server uses the same. */
    public static BrokerStarter starter(CliContext context, PeersPaths paths) {
        if (context.selfCommand().size() > 1) {
            return new BrokerStarter(paths, brokerCommand(context), Map.of());
        }
        // Through the launcher script: it adds PEERS_JAVA_OPTS after its own flags, so these win.
        String userOptions = System.getenv().getOrDefault("PEERS_JAVA_OPTS", "");
        return new BrokerStarter(
                paths,
                brokerCommand(context),
                Map.of("PEERS_JAVA_OPTS", (String.join(" ", BrokerStarter.JVM_OPTIONS) + " " + userOptions).strip()));
    }

    /**
     * The starter of a broker no one started by hand (the MCP server's): it says on stderr which home and
     * socket it started a broker for, and that broker stops after {@link #AUTO_IDLE} without connections,
     * or {@code PEERS_IDLE_TIMEOUT} seconds when set (0: never). A broker from {@code broker start} or a
     * service stops only when told.
     */
    static BrokerStarter autoStarter(CliContext context, PeersPaths paths) {
        return starter(context, paths)
                .autoStarting(autoIdle(context))
                .withNotices(line -> context.err().println("peers: " + line));
    }

    private static Duration autoIdle(CliContext context) {
        String value = context.env().get("PEERS_IDLE_TIMEOUT");
        if (value == null || value.isBlank()) {
            return AUTO_IDLE;
        }
        try {
            return Duration.ofSeconds(Math.max(0, Long.parseLong(value.strip())));
        } catch (NumberFormatException e) {
            throw new CliFailure("PEERS_IDLE_TIMEOUT must be a whole number of seconds, not '" + value + "'");
        }
    }

    /** Options a broker process takes ({@code broker start} here, {@code broker run} in the app). */
    public static final class BrokerOptions {
        @Option(
                names = "--db",
                paramLabel = "PATH|URL",
                description = "The SQLite database file, or a PostgreSQL database as postgresql://USER@HOST:PORT/DB"
                        + " (its password from PGPASSWORD or ~/.pgpass, never here) (env PEERS_DB, default"
                        + " PEERS_HOME/peers.db).")
        String database;

        @Option(
                names = "--tcp",
                paramLabel = "HOST:PORT",
                description = "Also listen on TCP, loopback unless a host is named (env PEERS_TCP).")
        String tcp;

        @Option(
                names = "--tls",
                paramLabel = "HOST:PORT",
                description = "Also listen with TLS 1.3 and client certificates of the team's CA (peers tls init),"
                        + " on any address (env PEERS_TLS). Clients use PEERS_TCP_URL=tls://HOST:PORT.")
        String tls;

        public PeersPaths apply(PeersPaths paths) {
            PeersPaths result = paths;
            if (database != null) {
                result = result.withDatabase(database);
            }
            if (tcp != null) {
                result = result.withTcp(tcp);
            }
            if (tls != null) {
                result = result.withTls(tls);
            }
            return result;
        }
    }

    @Command(
            name = "broker",
            description = "Run, start, stop or inspect the broker.",
            subcommands = {Start.class, Stop.class, BrokerStatus.class})
    static final class Broker extends BaseCommand {
        @Override
        protected int run() {
            spec.commandLine().usage(context().err());
            return CliFailure.USAGE;
        }
    }

    @Command(name = "start", description = "Start the broker in the background; returns once it answers.")
    static final class Start extends BaseCommand {
        @picocli.CommandLine.Mixin
        BrokerOptions options = new BrokerOptions();

        @Override
        protected int run() {
            PeersPaths paths = options.apply(paths());
            BrokerStarter starter = starter(context(), paths)
                    .withNotices(line -> context().err().println("peers: " + line));
            boolean started = starter.ensureRunning(START_TIMEOUT);
            BrokerStats stats;
            try (PeersClient client = BrokerAccess.connect(paths, false)) {
                stats = client.stats();
            }
            if (json) {
                ObjectNode node = JsonNodeFactory.instance.objectNode();
                node.put("started", started);
                node.set("broker", BrokerJson.node(stats));
                terminal().json(node);
            } else {
                terminal()
                        .println((started ? "started the broker" : "a broker already runs") + " (pid " + stats.pid()
                                + ") on " + paths.socket() + "; log: " + paths.brokerLog());
            }
            return 0;
        }
    }

    @Command(name = "stop", description = "Ask the broker to stop; returns once it is gone.")
    static final class Stop extends BaseCommand {
        @Override
        protected int run() throws InterruptedException {
            return stop(this);
        }
    }

    @Command(name = "kill-broker", description = "Stop the broker (same as `peers broker stop`).")
    static final class KillBroker extends BaseCommand {
        @Override
        protected int run() throws InterruptedException {
            return stop(this);
        }
    }

    static int stop(BaseCommand command) throws InterruptedException {
        PeersPaths paths = command.paths();
        if (paths.tcpUrl() == null && SocketFiles.probe(paths.socket()) != SocketFileState.LIVE) {
            report(command, false, null, "no broker runs at " + paths.socket() + "; nothing to stop");
            return 0;
        }
        long pid;
        try (PeersClient client = command.connect()) {
            pid = client.stats().pid();
            client.shutdownBroker();
        }
        long asked = System.nanoTime();
        long deadline = asked + STOP_TIMEOUT.toNanos();
        boolean said = false;
        while (System.nanoTime() < deadline) {
            boolean socketGone = SocketFiles.probe(paths.socket()) != SocketFileState.LIVE;
            // A zombie has let go of its socket, lock and database: only its exit status is left to reap.
            boolean processGone = pid == ProcessHandle.current().pid() || ProcessEnd.ended(pid);
            if (socketGone && processGone) {
                report(command, true, pid, "stopped the broker (pid " + pid + ")");
                return 0;
            }
            if (!said && System.nanoTime() - asked > QUIET_WAIT.toNanos()) {
                said = true;
                command.context()
                        .err()
                        .println("peers: waiting for the broker (pid " + pid + ") to "
                                + (socketGone ? "exit" : "close " + paths.socket()));
            }
            Thread.sleep(10);
        }
        throw new CliFailure("the broker (pid " + pid + ") did not stop within " + STOP_TIMEOUT.toSeconds()
                + " s; end it with `kill " + pid + "`");
    }

    private static void report(BaseCommand command, boolean stopped, Long pid, String text) {
        if (command.json) {
            ObjectNode node = JsonNodeFactory.instance.objectNode().put("stopped", stopped);
            node.put("pid", pid);
            command.terminal().json(node);
        } else {
            command.terminal().println(text);
        }
    }

    @Command(name = "status", description = "Whether the broker runs, and where.")
    static final class BrokerStatus extends BaseCommand {
        @Override
        protected int run() {
            PeersPaths paths = paths();
            BrokerStats stats;
            try (PeersClient client = connect()) {
                stats = client.stats();
            } catch (CliFailure e) {
                if (e.exitCode() != CliFailure.UNREACHABLE) {
                    throw e;
                }
                if (json) {
                    terminal()
                            .json(JsonNodeFactory.instance
                                    .objectNode()
                                    .put("running", false)
                                    .put("socket", paths.socket().toString())
                                    .put("error", e.getMessage()));
                    return CliFailure.UNREACHABLE;
                }
                throw e;
            }
            if (json) {
                ObjectNode node = JsonNodeFactory.instance
                        .objectNode()
                        .put("running", true)
                        .put("socket", paths.socket().toString());
                node.put("pid", stats.pid());
                node.put("version", stats.brokerVersion());
                node.put("protocol", stats.protocol());
                node.put("uptime_ms", stats.uptime().toMillis());
                node.put("database", stats.database());
                ArrayNode listeners = node.putArray("listeners");
                stats.listeners().forEach(listeners::add);
                terminal().json(node);
            } else {
                Terminal out = terminal();
                out.println(out.green("running") + ": peers broker " + stats.brokerVersion() + ", pid " + stats.pid()
                        + ", up " + Terminal.span(stats.uptime()));
                out.println("listening: " + String.join(", ", stats.listeners()));
                out.println("database:  " + stats.database());
            }
            return 0;
        }
    }
}
