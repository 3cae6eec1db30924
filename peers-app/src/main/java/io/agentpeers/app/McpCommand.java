package io.agentpeers.app;

import io.agentpeers.cli.BrokerAccess;
import io.agentpeers.cli.CliContext;
import io.agentpeers.cli.ContextRoot;
import io.agentpeers.mcp.ClaudeSessionInbox;
import io.agentpeers.mcp.McpSettings;
import io.agentpeers.mcp.PeersMcp;
import io.agentpeers.protocol.PeersPaths;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code peers mcp}: the stdio MCP server an agent starts. Its stdout is the protocol: the real stdout
 * goes to the server and {@code System.out} is pointed at stderr before anything else can print.
 */
@Command(
        name = "mcp",
        description = "Run the stdio MCP server (Claude Code or Codex start it; not for typing by hand).")
final class McpCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(
            names = "--client-type",
            paramLabel = "TYPE",
            defaultValue = "claude-code",
            description =
                    "claude-code (messages pushed), codex or generic (the agent checks); default ${DEFAULT-VALUE}.")
    String clientType;

    @Option(names = "--name", paramLabel = "NAME", description = "The peer's name ([a-z0-9-]{1,32}).")
    String name;

    @Override
    public Integer call() {
        if (!McpSettings.CLIENT_TYPES.contains(clientType)) {
            // A usage mistake (exit 2), found before stdout becomes the protocol's.
            throw new ParameterException(
                    spec.commandLine(),
                    "unknown client type '" + clientType + "' for `peers mcp --client-type`: use claude-code, codex or"
                            + " generic");
        }
        OutputStream protocolOut = new FileOutputStream(FileDescriptor.out);
        System.setOut(new PrintStream(new FileOutputStream(FileDescriptor.err), true));
        ContextRoot root = (ContextRoot) spec.root().userObject();
        CliContext context = root.context();
        PeersPaths paths = root.options().connection().paths(context);
        // Only this process's own environment: peers never writes into another session's inbox.
        McpSettings settings = new McpSettings(
                clientType,
                name,
                paths,
                BrokerAccess.brokerStarter(context, paths),
                ClaudeSessionInbox.fromEnvironment(System.getenv()).orElse(null));
        int code = PeersMcp.run(settings, System.in, protocolOut);
        // Some of the MCP SDK's threads do not let the JVM end by themselves.
        System.exit(code);
        return code;
    }
}
