package io.agentpeers.app;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentpeers.broker.PeersBroker;
import io.agentpeers.cli.BaseCommand;
import io.agentpeers.cli.BrokerCommands.BrokerOptions;
import io.agentpeers.cli.CliFailure;
import io.agentpeers.core.PeersException;
import io.agentpeers.protocol.PeersPaths;
import io.agentpeers.protocol.PeersVersion;
import java.util.HashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code peers broker run}: the broker process, the one entry point that hosts a broker (the detached
 * broker that {@code peers broker start} and the MCP server start runs this too). It stops cleanly on
 * SIGTERM (listeners closed, replies in flight written, database closed), on a client's
 * {@code shutdown}, or after the idle timeout.
 */
@Command(name = "run", description = "Run the broker in the foreground until Ctrl-C, SIGTERM or `peers broker stop`.")
final class BrokerRunCommand extends BaseCommand {
    /** The exit status after a fatal error: EX_SOFTWARE of sysexits.h. */
    static final int EXIT_FATAL = 70;

    @Mixin
    BrokerOptions options = new BrokerOptions();

    @Option(
            names = "--idle-timeout",
            paramLabel = "SECONDS",
            description = "Stop after this long without connections (env PEERS_IDLE_TIMEOUT; default never).")
    Long idleTimeout;

    @Override
    protected int run() throws InterruptedException {
        PeersPaths paths = options.apply(paths());
        Map<String, String> env = new HashMap<>(context().env());
        if (idleTimeout != null) {
            env.put("PEERS_IDLE_TIMEOUT", Long.toString(idleTimeout));
        }
        PeersBroker broker;
        try {
            broker = BrokerConfig.from(paths, env).start();
        } catch (PeersException e) {
            throw new CliFailure("the broker could not start: " + e.getMessage());
        }
        Thread hook = new Thread(broker::close, "peers-sigterm");
        Runtime.getRuntime().addShutdownHook(hook);
        if (json) {
            ObjectNode banner = JsonNodeFactory.instance.objectNode();
            banner.put("version", PeersVersion.VERSION);
            banner.put("pid", ProcessHandle.current().pid());
            ArrayNode listeners = banner.putArray("listeners");
            broker.listeners().forEach(listeners::add);
            banner.put("database", paths.database().toString());
            terminal().jsonLine(banner);
        } else {
            // Straight to stdout: the CLI's terminal would load a JSON mapper this process never uses.
            context()
                    .out()
                    .println("peers broker " + PeersVersion.VERSION + " (pid "
                            + ProcessHandle.current().pid() + ") on " + String.join(" and ", broker.listeners())
                            + ", database "
                            + paths.database() + "; Ctrl-C stops it");
        }
        // The main thread has nothing else to do: it gives the heap back after a busy spell (IdleHeapShrink).
        IdleHeapShrink shrink = IdleHeapShrink.forThisProcess();
        while (!broker.awaitStop(IdleHeapShrink.CHECK_EVERY)) {
            shrink.check(System.nanoTime());
        }
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // SIGTERM came first: the hook closed the broker.
        }
        // Non-zero after a fatal error (its log line is written), so that a service manager restarts it.
        return broker.failure().isPresent() ? EXIT_FATAL : 0;
    }
}
