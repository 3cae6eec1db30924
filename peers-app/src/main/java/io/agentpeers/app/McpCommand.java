package io.agentpeers.app;

import io.agentpeers.cli.PeersCli;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code peers mcp}: the stdio MCP server an agent starts. Its stdout is the protocol: nothing else may
 * print there.
 */
@Command(name = "mcp", description = "Run the stdio MCP server (started by Claude Code or Codex, not by hand).")
final class McpCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--client-type", paramLabel = "TYPE", defaultValue = "claude-code",
            description = "claude-code, codex or generic (default ${DEFAULT-VALUE}).")
    String clientType;

    @Option(names = "--name", paramLabel = "NAME", description = "The peer's name ([a-z0-9-]{1,32}).")
    String name;

    @Override
    public Integer call() {
        PeersCli root = (PeersCli) spec.root().userObject();
        root.context().err().println("peers: the MCP server is not built yet (peers-mcp has no PeersMcp);"
                + " build a newer peers, or use the CLI meanwhile");
        return 1;
    }
}
