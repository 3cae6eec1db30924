package io.agentpeers.mcp;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.agentpeers.core.Urgency;
import io.agentpeers.protocol.client.MessageListener;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.server.transport.StdioServerTransportProvider;
import io.modelcontextprotocol.spec.McpSchema.ServerCapabilities;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The stdio MCP server of peers ({@code peers mcp}), on the official MCP Java SDK: one process per agent
 * session, a client of the broker.
 *
 * <p>It answers {@code initialize} at once and connects in the background (starting a broker when none
 * answers), registering the agent's cwd, repository, terminal and process (its parent). With client
 * type {@code claude-code} it pushes each message as {@code notifications/claude/channel}, from the
 * client's {@code notifications/initialized} on, and, when Claude Code gave it the session's inbox, wakes
 * the session with a body-free note ({@link InboxNudger}). It stops when stdin ends or its parent changes, and
 * does not unregister: the peer goes gone and a restarted server under the same agent resumes it.
 */
public final class PeersMcp {
    /** The server's version, sent in {@code initialize} and {@code hello}. */
    public static final String VERSION = io.agentpeers.protocol.PeersVersion.VERSION;

    private static final Logger LOG = LoggerFactory.getLogger(PeersMcp.class);
    private static final long PARENT_CHECK_MILLIS = 2_000;
    private static final long LINK_DELAY_MILLIS = 1_000;

    private PeersMcp() {}

    /**
     * Serves MCP on the given streams until {@code stdin} ends or the parent process changes.
     *
     * <p>{@code stdout} carries the protocol alone. When it is {@link System#out}, this method points
     * {@code System.out} at {@code System.err} first, so that stray prints cannot corrupt the protocol.
     *
     * @return the process exit code: 0 after a clean stop
     */
    public static int run(McpSettings settings, InputStream stdin, OutputStream stdout) {
        return run(settings, stdin, stdout, InboxNudger.Timing.DEFAULT);
    }

    /** {@link #run(McpSettings, InputStream, OutputStream)}, with the wake paced by {@code wakeTiming}. */
    static int run(McpSettings settings, InputStream stdin, OutputStream stdout, InboxNudger.Timing wakeTiming) {
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(stdin, "stdin");
        Objects.requireNonNull(stdout, "stdout");
        if (stdout == System.out) {
            System.setOut(System.err);
        }
        Long parent = ProcessHandle.current().parent().map(ProcessHandle::pid).orElse(null);
        CountDownLatch stop = new CountDownLatch(1);
        AtomicReference<String> reason = new AtomicReference<>();
        Arrivals arrivals = new Arrivals();
        AtomicBoolean initialized = new AtomicBoolean();
        AtomicReference<MessageListener> push = new AtomicReference<>();

        try (InboxNudger wake = InboxNudger.start(sessionWake(settings, parent), wakeTiming);
                BrokerLink link = new BrokerLink(
                        settings,
                        Path.of(System.getProperty("user.dir")),
                        parent,
                        BrokerLink.sessionKeyOf(settings.clientType(), System.getenv()))) {
            // Connecting loads and runs much (sockets, a native library, git, maybe a broker start): on two
            // cores it would slow the answer to initialize, so it starts right after that answer is out,
            // or after a short while for a client that is slow to initialize.
            AtomicBoolean linkStarted = new AtomicBoolean();
            Runnable startLink = () -> {
                if (linkStarted.compareAndSet(false, true)) {
                    link.start();
                }
            };
            // The subscription feeds the channel (Claude Code) and the wake (any client whose session it reaches).
            Runnable onInitialized = () -> {
                if (initialized.compareAndSet(false, true) && (settings.pushes() || wake.wakes())) {
                    link.enablePush(push.get());
                }
            };
            StdoutGate out = new StdoutGate(stdout, startLink);
            // A bad line is answered and dropped before the SDK sees it: its reader ends on the first one.
            StdinGuard guarded = new StdinGuard(stdin, error -> {
                synchronized (out) {
                    try {
                        out.write((error + "\n").getBytes(StandardCharsets.UTF_8));
                        out.flush();
                    } catch (IOException e) {
                        LOG.warn("could not answer a refused stdin line: {}", e.toString());
                    }
                }
            });
            StdinWatch in = new StdinWatch(guarded, onInitialized, () -> {
                reason.compareAndSet(null, "stdin closed");
                stop.countDown();
            });
            McpJsonMapper mapper = new JacksonMcpJsonMapper(new ObjectMapper());
            StdioServerTransportProvider transport = new StdioServerTransportProvider(mapper, in, out);
            ChannelPush channel = new ChannelPush(transport, out, arrivals);
            // The wake only records the arrival and returns: the inbox is written on the nudger's thread.
            push.set(envelope -> {
                wake.arrived(envelope);
                if (envelope.message().urgency() == Urgency.FYI) {
                    arrivals.signal(); // never pushed into the session; a wait_for_messages still sees it
                } else if (settings.pushes()) {
                    channel.onMessage(envelope);
                }
            });
            PeerTools tools = new PeerTools(link, settings.pushes(), arrivals, onInitialized, wake);
            if (settings.pushes()) {
                wake.offerChannel();
            }
            wake.onDelivery(link::reportDelivery);

            ServerCapabilities.Builder capabilities =
                    ServerCapabilities.builder().tools(false);
            if (settings.pushes()) {
                capabilities.experimental(Map.of("claude/channel", Map.of()));
            }
            McpSyncServer server = McpServer.sync(transport)
                    .serverInfo("peers", VERSION)
                    .instructions(Instructions.forClient(settings.clientType(), wake.wakes()))
                    .capabilities(capabilities.build())
                    .jsonMapper(mapper)
                    .jsonSchemaValidator(new ArgumentsValidator())
                    .tools(tools.specifications())
                    .build();
            ScheduledExecutorService parentWatch = watchParent(parent, () -> {
                reason.compareAndSet(null, "the parent process " + parent + " is gone");
                stop.countDown();
            });
            parentWatch.schedule(startLink, LINK_DELAY_MILLIS, TimeUnit.MILLISECONDS);
            try {
                stop.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                reason.compareAndSet(null, "interrupted");
            } finally {
                parentWatch.shutdownNow();
                LOG.info("the MCP server stops: {}", reason.get());
                server.close();
            }
        }
        return 0;
    }

    /** Claude Code's session inbox when it gave one; for Codex its thread queue when an app-server runs this. */
    private static SessionWake sessionWake(McpSettings settings, Long parent) {
        if (settings.wakeInbox() != null) {
            return settings.wakeInbox();
        }
        if ("codex".equals(settings.clientType()) && parent != null) {
            return CodexThreadQueue.underAppServer(Path.of("/proc"), parent, System.getenv())
                    .orElse(null);
        }
        return null;
    }

    /** Checks every two seconds that the parent is still the one we started under (an orphan is adopted). */
    private static ScheduledExecutorService watchParent(Long parent, Runnable gone) {
        ScheduledExecutorService watch = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "peers-mcp-parent");
            thread.setDaemon(true);
            return thread;
        });
        if (parent != null) {
            watch.scheduleWithFixedDelay(
                    () -> {
                        Long now = ProcessHandle.current()
                                .parent()
                                .map(ProcessHandle::pid)
                                .orElse(null);
                        if (!parent.equals(now)) {
                            gone.run();
                        }
                    },
                    PARENT_CHECK_MILLIS,
                    PARENT_CHECK_MILLIS,
                    TimeUnit.MILLISECONDS);
        }
        return watch;
    }
}
