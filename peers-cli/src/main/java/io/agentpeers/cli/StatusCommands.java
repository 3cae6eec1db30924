package io.agentpeers.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentpeers.core.Message;
import io.agentpeers.core.StoreUnavailableException;
import io.agentpeers.local.BrokerEndpoint;
import io.agentpeers.protocol.BrokerEvent;
import io.agentpeers.protocol.BrokerInfo;
import io.agentpeers.protocol.BrokerStats;
import io.agentpeers.protocol.PeerInfo;
import io.agentpeers.protocol.client.PeersClient;
import io.agentpeers.protocol.codec.BrokerJson;
import io.agentpeers.protocol.codec.PeersJson;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Commands that read the broker's state without registering: status, orphans, cleanup, watch. */
final class StatusCommands {
    private StatusCommands() {}

    static Instant instant(JsonNode node) {
        return node == null || node.isNull() || node.isMissingNode() ? null : Instant.parse(node.asText());
    }

    @Command(
            name = "status",
            description = "Broker health, version, uptime, database, peers, pending messages, orphans.")
    static final class Status extends BaseCommand {
        @Override
        protected int run() {
            BrokerStats stats;
            BrokerInfo info;
            try (PeersClient client = connect()) {
                info = client.brokerInfo();
                try {
                    stats = client.stats();
                } catch (StoreUnavailableException e) {
                    return unavailable(info, e);
                }
            }
            if (json) {
                terminal().json(BrokerJson.node(stats));
                return 0;
            }
            Terminal out = terminal();
            Instant now = Instant.now();
            BrokerStats.MessageCounts messages = stats.messages();
            int orphans = stats.orphans().size();
            out.println(out.bold("broker") + "     " + out.green("running") + ", peers " + stats.brokerVersion()
                    + " (protocol " + stats.protocol() + "), pid " + stats.pid() + ", up "
                    + Terminal.span(stats.uptime()));
            out.println(out.bold("listening") + "  " + String.join(", ", stats.listeners()));
            out.println(out.bold("database") + "   " + stats.database());
            out.println(out.bold("peers") + "      " + stats.peers().live() + " live, "
                    + stats.peers().gone() + " gone; " + stats.connections() + " connections");
            long pending = messages.pending();
            out.println(
                    out.bold("messages") + "   " + (pending > 0 ? out.yellow(pending + " pending") : "0 pending") + ", "
                            + messages.delivered() + " delivered, " + messages.read() + " read, "
                            + messages.undeliverable() + " undeliverable");
            out.println(out.bold("orphans") + "    "
                    + (orphans == 0
                            ? "none"
                            : out.yellow(orphans + " MCP server(s) whose agent died")
                                    + "; `peers orphans` lists, `peers cleanup` ends them"));
            out.println(out.bold("last sweep") + " " + Terminal.ago(stats.lastSweep(), now));
            return 0;
        }

        /** The broker answers but cannot reach its database: say so, and that nothing acknowledged is lost. */
        private int unavailable(BrokerInfo info, StoreUnavailableException e) {
            if (json) {
                ObjectNode node = JsonNodeFactory.instance.objectNode();
                node.put("broker", "running");
                node.put("broker_version", info.brokerVersion());
                if (info.pid() != null) {
                    node.put("pid", info.pid());
                }
                node.putObject("store").put("available", false).put("error", e.getMessage());
                terminal().json(node);
                return CliFailure.FAILED;
            }
            Terminal out = terminal();
            out.println(out.bold("broker") + "     " + out.yellow("running, but it cannot reach its database")
                    + ", peers " + info.brokerVersion() + (info.pid() == null ? "" : ", pid " + info.pid()));
            out.println(out.bold("database") + "   " + out.red("unavailable") + ": " + Terminal.data(e.getMessage()));
            out.println("           mail it acknowledged is kept; requests that need the database are refused"
                    + " (store_unavailable) until it reconnects by itself");
            return CliFailure.FAILED;
        }
    }

    @Command(name = "orphans", description = "MCP server processes whose agent died (found by the broker's sweep).")
    static final class Orphans extends BaseCommand {
        @Override
        protected int run() {
            JsonNode orphans;
            try (PeersClient client = connect()) {
                orphans = BrokerJson.peers(client.stats().orphans());
            }
            if (json) {
                ObjectNode node = JsonNodeFactory.instance.objectNode();
                node.set("orphans", orphans);
                terminal().json(node);
                return 0;
            }
            if (orphans.isEmpty()) {
                terminal().println("no orphans: every MCP server's agent is alive");
                return 0;
            }
            printPeers(terminal(), orphans, Instant.now());
            terminal().println("`peers cleanup` ends them");
            return 0;
        }
    }

    /** Prints peers (wire shape) as a table. */
    static void printPeers(Terminal out, JsonNode peers, Instant now) {
        List<List<String>> rows = new ArrayList<>();
        for (JsonNode peer : peers) {
            rows.add(List.of(
                    peer.path("id").asText(),
                    text(peer, "name"),
                    text(peer, "client_type"),
                    identity(out, peer),
                    text(peer, "cwd"),
                    receives(peer.path("delivery")),
                    Terminal.oneLine(peer.path("summary").asText(""), 48),
                    Terminal.ago(instant(peer.get("last_seen")), now)));
        }
        out.table(List.of("ID", "NAME", "TYPE", "PID", "CWD", "RECEIVES", "SUMMARY", "SEEN"), rows);
    }

    /**
     * The PID column: the pid of a peer this machine's kernel vouched for, {@code cert:NAME} for one the team's
     * CA vouched for over TLS (no pid: it may be on another machine), {@code PID@HOST} for one another broker
     * sharing the database holds, else {@code unverified}.
     */
    private static String identity(Terminal out, JsonNode peer) {
        JsonNode broker = peer.path("broker");
        if (broker.isObject()) {
            // Another broker on the shared database holds it: a pid of its host, as that broker says.
            String host = broker.path("host").isTextual()
                    ? broker.get("host").asText()
                    : broker.path("id").asText();
            return (peer.path("verified").asBoolean() ? text(peer, "pid") : "unverified") + "@" + Terminal.data(host);
        }
        if (peer.path("verified").asBoolean()) {
            return text(peer, "pid");
        }
        if (peer.path("certificate").isTextual()) {
            return out.cyan("cert:" + Terminal.data(peer.get("certificate").asText()));
        }
        return out.yellow("unverified");
    }

    /** A peer's delivery path, with a {@code ?} while it was not seen working: {@code inbox-wake?}. */
    private static String receives(JsonNode delivery) {
        if (!delivery.path("path").isTextual()) {
            return "-";
        }
        String path = Terminal.data(delivery.get("path").asText());
        boolean confirmed = delivery.path("confirmed").asBoolean(false);
        return confirmed || path.equals("poll") || path.equals("subscribed") ? path : path + "?";
    }

    static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? "-" : Terminal.data(value.asText());
    }

    @Command(name = "cleanup", description = "End the orphaned MCP server processes (SIGTERM).")
    static final class Cleanup extends BaseCommand {
        @Option(names = "--dry-run", description = "Show what would be ended; end nothing.")
        boolean dryRun;

        @Override
        protected int run() {
            List<PeerInfo> orphans;
            try (PeersClient client = connect()) {
                orphans = client.stats().orphans();
            }
            ArrayNode results = JsonNodeFactory.instance.arrayNode();
            int ended = 0;
            for (PeerInfo orphan : orphans) {
                long pid = orphan.pid() == null ? -1 : orphan.pid();
                String verdict = check(orphan, pid);
                boolean terminated = false;
                if (verdict == null && !dryRun) {
                    terminated =
                            ProcessHandle.of(pid).map(ProcessHandle::destroy).orElse(false);
                    verdict = terminated ? "sent SIGTERM" : "it exited meanwhile";
                } else if (verdict == null) {
                    verdict = "would send SIGTERM";
                }
                if (terminated) {
                    ended++;
                }
                ObjectNode row = results.addObject();
                row.set("peer", PeersJson.peer(orphan));
                row.put("pid", pid);
                row.put("terminated", terminated);
                row.put("result", verdict);
            }
            if (json) {
                ObjectNode node = JsonNodeFactory.instance.objectNode();
                node.set("orphans", results);
                node.put("terminated", ended);
                terminal().json(node);
                return 0;
            }
            if (results.isEmpty()) {
                terminal().println("no orphans to clean up");
                return 0;
            }
            for (JsonNode row : results) {
                JsonNode peer = row.get("peer");
                terminal()
                        .println(peer.path("id").asText() + " (" + text(peer, "name") + ", pid "
                                + row.path("pid").asText() + "): "
                                + row.path("result").asText());
            }
            return 0;
        }

        /** Why this orphan must not be signalled, or null when it may. */
        private static String check(PeerInfo orphan, long pid) {
            if (!orphan.verified() || pid <= 0) {
                return "skipped: unverified, no process known";
            }
            ProcessHandle process = ProcessHandle.of(pid).orElse(null);
            if (process == null || !process.isAlive()) {
                return "already exited";
            }
            Instant registered = orphan.registeredAt();
            Instant started = process.info().startInstant().orElse(null);
            // A pid reused by a newer process started after the peer registered: not ours to end.
            if (registered != null && started != null && started.isAfter(registered.plusSeconds(1))) {
                return "skipped: pid " + pid + " now belongs to another process";
            }
            return null;
        }
    }

    @Command(
            name = "watch",
            description = "A live tail of peers joining and leaving and messages flowing, until Ctrl-C.")
    static final class Watch extends BaseCommand {
        @Option(names = "--count", paramLabel = "N", description = "Stop after N events.")
        Integer count;

        @Option(names = "--for", paramLabel = "SECONDS", description = "Stop after this many seconds.")
        Long seconds;

        @Override
        protected int run() throws InterruptedException {
            Map<String, String> names = new ConcurrentHashMap<>();
            CountDownLatch done = new CountDownLatch(1);
            AtomicInteger seen = new AtomicInteger();
            Terminal out = terminal();
            try (PeersClient client = BrokerAccess.connect(paths(), true)) {
                String address = BrokerEndpoint.connector(paths()).address();
                Consumer<BrokerEvent> listener = event -> {
                    if (count != null && seen.get() >= count) {
                        return;
                    }
                    remember(names, event);
                    if (json) {
                        out.jsonLine(BrokerJson.node(event));
                    } else {
                        out.println(describe(out, event, names));
                    }
                    out.out().flush();
                    if (count != null && seen.incrementAndGet() >= count) {
                        done.countDown();
                    }
                };
                client.onDisconnect(
                        () -> connection(out, "broker_gone", address, "the broker is gone; waiting for it"));
                // The client observes again by itself; this asks once more only to learn who is there now.
                client.onReconnect(() -> {
                    connection(out, "broker_back", address, "the broker is back");
                    try {
                        remember(names, client.observe(listener));
                    } catch (RuntimeException goneAgain) {
                        // The next reconnect asks again; until then, the names known so far.
                    }
                });
                remember(names, client.observe(listener));
                // On stderr, also with --json: a script (or a test) knows from it that events now flow.
                context().err().println("watching the broker at " + address + "; Ctrl-C stops");
                if (seconds != null) {
                    done.await(seconds, TimeUnit.SECONDS);
                } else {
                    done.await();
                }
            }
            return 0;
        }

        /** A line of watch's own (not a broker event): the broker went away, or came back. */
        private void connection(Terminal out, String type, String address, String text) {
            Instant now = Instant.now();
            if (json) {
                out.jsonLine(JsonNodeFactory.instance
                        .objectNode()
                        .put("type", type)
                        .put("at", now.toString())
                        .put("broker", address));
            } else {
                out.println(out.dim(clock(now)) + " " + out.yellow("! " + text + " (" + address + ")"));
            }
            out.out().flush();
        }

        private static void remember(Map<String, String> names, List<PeerInfo> peers) {
            peers.forEach(peer -> {
                if (peer.id() != null && peer.name() != null) {
                    names.put(peer.id(), peer.name());
                }
            });
        }

        private static void remember(Map<String, String> names, BrokerEvent event) {
            PeerInfo peer = peerOf(event);
            if (peer != null && peer.id() != null && peer.name() != null) {
                names.put(peer.id(), peer.name());
            }
        }

        private static PeerInfo peerOf(BrokerEvent event) {
            if (event instanceof BrokerEvent.PeerJoined joined) {
                return joined.peer();
            } else if (event instanceof BrokerEvent.PeerUpdated updated) {
                return updated.peer();
            } else if (event instanceof BrokerEvent.PeerLeft left) {
                return left.peer();
            } else if (event instanceof BrokerEvent.PeerKilled killed) {
                return killed.peer();
            }
            return null;
        }

        /** A peer's name when watch knows it, else its id; escaped, as everything a peer chose. */
        private static String who(Map<String, String> names, String id) {
            return Terminal.data(names.getOrDefault(id, id));
        }

        /** {@code HH:mm:ss.SSS} in UTC, as the broker's event times are written. */
        private static String clock(Instant at) {
            String time = at == null ? "" : at.toString();
            return time.length() >= 23 ? time.substring(11, 23) : time;
        }

        static String describe(Terminal out, BrokerEvent event, Map<String, String> names) {
            String clock = clock(event.at());
            PeerInfo peer = peerOf(event);
            String peerName = peer == null ? "" : Terminal.data(peer.displayName());
            String line;
            if (event instanceof BrokerEvent.PeerJoined joined) {
                line = out.green("+ " + peerName) + " joined" + (joined.resumed() ? " (resumed)" : "") + " ["
                        + (peer.clientType() == null ? "" : peer.clientType().wireName()) + ", "
                        + Terminal.data(peer.cwd()) + "]";
            } else if (event instanceof BrokerEvent.PeerLeft left) {
                line = out.red("- " + peerName) + " left: " + left.reason();
            } else if (event instanceof BrokerEvent.PeerUpdated) {
                line = "~ " + peerName + " now: " + Terminal.oneLine(peer.summary() == null ? "" : peer.summary(), 60);
            } else if (event instanceof BrokerEvent.PeerKilled killed) {
                line = out.red("x " + peerName) + " killed by " + who(names, killed.by())
                        + (killed.signalled() ? "" : " (no signal sent)");
            } else if (event instanceof BrokerEvent.MessageSent sent) {
                Message message = sent.message();
                line = out.cyan("> #" + message.id()) + " "
                        + who(names, message.sender().value()) + " -> "
                        + who(names, message.recipient().value()) + ": " + Terminal.oneLine(message.text(), 80);
            } else if (event instanceof BrokerEvent.MessagesStateChanged changed) {
                List<String> ids = new ArrayList<>();
                changed.ids().forEach(id -> ids.add("#" + id));
                line = out.dim("  " + String.join(" ", ids) + " "
                        + changed.state().wireName() + " by " + who(names, changed.recipient()));
            } else {
                line = BrokerJson.node(event).toString();
            }
            return out.dim(clock) + " " + line;
        }
    }
}
