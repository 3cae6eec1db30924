package io.agentpeers.mcp;

import io.agentpeers.app.AppJvm;
import io.agentpeers.broker.PeersBroker;
import io.agentpeers.core.ClientType;
import io.agentpeers.core.RegisterRequest;
import io.agentpeers.core.port.PeerStore;
import io.agentpeers.protocol.client.ClientOptions;
import io.agentpeers.protocol.client.PeersClient;
import io.agentpeers.transport.unix.UnixSocketConnector;
import io.agentpeers.transport.unix.UnixSocketListener;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Shared pieces of the MCP tests: the child JVM's command, its environment, embedded brokers, clients. */
final class McpFixtures {

    private McpFixtures() {}

    static String java() {
        return AppJvm.java();
    }

    /** {@code java ... mcp --client-type TYPE [--name NAME]}: the packaged app, see {@link AppJvm}. */
    static List<String> mcpCommand(String clientType, String name) {
        List<String> command = new ArrayList<>();
        command.add(java());
        command.addAll(mcpArgs(clientType, name));
        return command;
    }

    /** Everything after the java executable. */
    static List<String> mcpArgs(String clientType, String name) {
        List<String> args = AppJvm.args(List.of());
        args.add("mcp");
        args.add("--client-type");
        args.add(clientType);
        if (name != null) {
            args.add("--name");
            args.add(name);
        }
        return args;
    }

    static Map<String, String> env(Path home) {
        return Map.of(
                "PEERS_HOME",
                home.toString(),
                "PEERS_SOCKET",
                home.resolve("peers.sock").toString());
    }

    static PeersBroker broker(Path home, PeerStore store) {
        return PeersBroker.builder()
                .listen(new UnixSocketListener(home.resolve("peers.sock")))
                .store(store)
                .sweepInterval(Duration.ofMinutes(10))
                .start();
    }

    /** A peer in this JVM (its agent is this JVM: never kill it). */
    static PeersClient peer(Path home, String name) {
        PeersClient client = PeersClient.connect(
                new UnixSocketConnector(home.resolve("peers.sock")),
                ClientOptions.defaults().withClientName("mcp-test").withRequestTimeout(Duration.ofSeconds(30)));
        client.register(RegisterRequest.of(home.toString(), ClientType.GENERIC).withName(name));
        return client;
    }

    /** The text of a pushed message: the content is {@code <message id=... fence="X">\nTEXT\n</message fence="X">}. */
    static String envelopeText(String content) {
        Matcher envelope = Pattern.compile(
                        "(?s)<message id=\"\\d+\" fence=\"([a-z2-9]{10})\">\n(.*)\n</message fence=\"\\1\">")
                .matcher(content);
        if (!envelope.matches()) {
            throw new AssertionError("not a fenced message: " + content);
        }
        return envelope.group(2);
    }
}
