package io.agentpeers.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentpeers.broker.PeersBroker;
import io.agentpeers.cli.BrokerAccess;
import io.agentpeers.cli.CliContext;
import io.agentpeers.cli.ContextRoot;
import io.agentpeers.mcp.McpSettings;
import io.agentpeers.mcp.PeersMcp;
import io.agentpeers.protocol.PeersPaths;
import io.agentpeers.protocol.client.PeersClient;
import io.agentpeers.transport.unix.UnixSocketListener;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code peers __cds-training DIR [clients|broker]} (hidden): the training runs behind the class-data archives
 * that the build makes (see peers-app/pom.xml). {@code clients} (target/peers.jsa) loads what a cold {@code peers
 * status} and {@code peers mcp} load: the status command against {@code DIR} as {@code PEERS_HOME}, where no
 * broker listens, then against a socket there that answers only {@code hello}; and an MCP server in this JVM that
 * answers {@code initialize} and {@code tools/list}. {@code broker} (target/peers-broker.jsa) loads what a broker
 * process loads (SQLite, the migrations, the selector loops, the dispatcher) and what {@code broker status} and
 * {@code broker stop} make it do: a broker in this JVM, in a folder of DIR that is deleted afterwards. Two
 * archives, because a JVM's resident memory counts every page of its archive it touches, and the pages of one
 * archive for both mix the classes of each (docs/decisions.md, "Memory and start"). No part: both. It never
 * starts a broker process, reads no {@code PEERS_*} variable, and prints only one line on stderr; stdout stays
 * empty.
 */
@Command(
        name = "__cds-training",
        hidden = true,
        description = "Load what cold `status` and `mcp` runs load, for the build's class-data archive.")
final class CdsTrainingCommand implements Callable<Integer> {
    private static final long ANSWER_WAIT_SECONDS = 10;
    private static final String REQUESTS = String.join(
            "\n",
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\","
                    + "\"capabilities\":{\"experimental\":{\"claude/channel\":{}}},"
                    + "\"clientInfo\":{\"name\":\"peers-cds-training\",\"version\":\"1\"}}}",
            "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}",
            "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\",\"params\":{}}",
            "");

    @Spec
    CommandSpec spec;

    @Parameters(
            index = "0",
            paramLabel = "DIR",
            description = "An empty folder to use as PEERS_HOME (no broker there).")
    Path dir;

    @Parameters(
            index = "1",
            arity = "0..1",
            paramLabel = "PART",
            description = "clients (status and mcp) or broker; both when left out.")
    String part;

    @Override
    public Integer call() throws Exception {
        boolean clients = part == null || part.equals("clients");
        boolean brokers = part == null || part.equals("broker");
        if (!clients && !brokers) {
            throw new picocli.CommandLine.ParameterException(
                    spec.commandLine(), "PART is clients or broker, not " + part);
        }
        Path home = Files.createDirectories(dir.toAbsolutePath());
        ContextRoot cli = (ContextRoot) spec.root().userObject();
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        PrintStream quiet = new PrintStream(printed, true, StandardCharsets.UTF_8);
        CliContext context = new CliContext(
                Map.of("HOME", home.toString(), "PEERS_HOME", home.toString()),
                home,
                cli.context().cwd(),
                quiet,
                quiet,
                InputStream.nullInputStream(),
                cli.context().mainClass());

        List<String> done = new ArrayList<>();
        boolean answered = true;
        if (clients) {
            // `peers status` with no broker: parsing, paths, a failed connect, the one-sentence error. Then
            // once more against a socket that answers like a broker that refuses the stats request: a
            // connected client's classes (the socket, the session, JSON-RPC lines and trees).
            int status = execute(context, "status");
            int connected = statusAgainstTrainingSocket(context);

            // `peers mcp` up to its answers. The starter is built as McpCommand builds it, but the server gets
            // none, so nothing here can start a broker.
            PeersPaths paths = context.paths();
            BrokerAccess.brokerStarter(context, paths);
            Answers answers = new Answers();
            int mcp = PeersMcp.run(
                    new McpSettings("claude-code", null, paths, null),
                    new Requests(REQUESTS.getBytes(StandardCharsets.UTF_8), answers.listed),
                    answers);
            answered = answers.listed.getCount() == 0;
            done.add("status exit " + status + " (no broker), " + connected + " (training socket), mcp exit " + mcp
                    + (answered ? ", initialize and tools/list answered" : ", NO MCP answer"));
        }
        if (brokers) {
            done.add(brokerInThisJvm(context, home.resolve("broker")));
        }
        cli.context().err().println("peers: class-data training: " + String.join(", ", done));
        return answered ? 0 : 1;
    }

    /** The command as {@code peers ARGS} runs it: the command line {@link Main#main} builds for them. */
    private static int execute(CliContext context, String... args) {
        return Main.commandLine(context, args).execute(args);
    }

    /**
     * A broker in this JVM over {@code folder}, asked by {@code broker status} and stopped by {@code broker
     * stop}; the folder is deleted afterwards.
     *
     * @return what happened, for the one line on stderr
     */
    private static String brokerInThisJvm(CliContext context, Path folder) throws IOException {
        Map<String, String> env = Map.of("HOME", folder.toString(), "PEERS_HOME", folder.toString());
        CliContext here = new CliContext(
                env, folder, context.cwd(), context.out(), context.err(), context.in(), context.mainClass());
        String result;
        try (PeersBroker broker =
                BrokerConfig.from(PeersPaths.under(folder), Map.of()).start()) {
            // What a broker serves most: a registration, the peers, the inbox (JSON both ways, the store's reads).
            int served = execute(here, "list") + execute(here, "inbox") + execute(here, "status");
            int status = execute(here, "broker", "status");
            int stop = execute(here, "broker", "stop");
            result = "requests exit " + served + ", broker status exit " + status + ", stop exit " + stop
                    + (broker.awaitStop(Duration.ofSeconds(ANSWER_WAIT_SECONDS)) ? "" : " (still running)");
        } catch (RuntimeException | InterruptedException e) {
            result = "broker failed: " + e;
        } finally {
            deleteTree(folder);
        }
        return result;
    }

    private static void deleteTree(Path folder) throws IOException {
        if (!Files.exists(folder)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(folder)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }

    /**
     * {@code peers status} against a Unix socket in the training home that answers {@code hello} and
     * refuses every other request. The socket is gone when this returns.
     *
     * @return the status command's exit code, or -1 when the socket could not be made
     */
    private static int statusAgainstTrainingSocket(CliContext context) {
        ServerSocketChannel server;
        UnixSocketListener listener = new UnixSocketListener(context.paths().socket());
        try {
            server = listener.bind();
            server.configureBlocking(true);
        } catch (IOException | RuntimeException e) {
            listener.close();
            return -1;
        }
        try (listener) {
            Thread answering = new Thread(() -> answer(server), "peers-cds-training");
            answering.setDaemon(true);
            answering.start();
            return execute(context, "status");
        }
    }

    /** Answers one connection's requests until it closes: {@code hello} as a broker would, the rest with an error. */
    private static void answer(ServerSocketChannel server) {
        ObjectMapper json = new ObjectMapper();
        try (SocketChannel channel = server.accept();
                BufferedReader in = new BufferedReader(
                        new InputStreamReader(Channels.newInputStream(channel), StandardCharsets.UTF_8));
                OutputStream out = Channels.newOutputStream(channel)) {
            String line;
            while ((line = in.readLine()) != null) {
                JsonNode request = json.readTree(line);
                if (!request.hasNonNull("id")) {
                    continue;
                }
                ObjectNode answer =
                        json.createObjectNode().put("jsonrpc", "2.0").set("id", request.get("id"));
                if ("hello".equals(request.path("method").asText())) {
                    answer.putObject("result").put("protocol", PeersClient.PROTOCOL_VERSION);
                } else {
                    answer.putObject("error")
                            .put("code", -32601)
                            .put("message", "a class-data training socket, not a broker");
                }
                out.write((json.writeValueAsString(answer) + "\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
        } catch (IOException | RuntimeException e) {
            // The client went away or the socket closed: the training goes on without it.
        }
    }

    /** The requests, then end of input once the last answer is out (or after a while). */
    private static final class Requests extends InputStream {
        private final byte[] bytes;
        private final CountDownLatch end;
        private int next;

        Requests(byte[] bytes, CountDownLatch end) {
            this.bytes = bytes;
            this.end = end;
        }

        @Override
        public int read() {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public synchronized int read(byte[] buffer, int offset, int length) {
            if (next >= bytes.length) {
                try {
                    end.await(ANSWER_WAIT_SECONDS, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return -1;
            }
            int count = Math.min(length, bytes.length - next);
            System.arraycopy(bytes, next, buffer, offset, count);
            next += count;
            return count;
        }
    }

    /** The server's stdout, kept in memory; counts down once the tools/list answer is there. */
    private static final class Answers extends OutputStream {
        final CountDownLatch listed = new CountDownLatch(1);
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        @Override
        public synchronized void write(int b) {
            bytes.write(b);
            check();
        }

        @Override
        public synchronized void write(byte[] buffer, int offset, int length) {
            bytes.write(buffer, offset, length);
            check();
        }

        private void check() {
            if (listed.getCount() > 0 && answered(bytes.toString(StandardCharsets.UTF_8))) {
                listed.countDown();
            }
        }

        private static boolean answered(String text) {
            return text.lines().anyMatch(line -> line.contains("\"id\":2") && line.contains("\"tools\""));
        }
    }
}
