package io.agentpeers.app;

import io.agentpeers.cli.BrokerAccess;
import io.agentpeers.cli.CliContext;
import io.agentpeers.cli.PeersCli;
import io.agentpeers.mcp.McpSettings;
import io.agentpeers.protocol.PeersPaths;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code peers mcp}: the stdio MCP server an agent starts. Its stdout is the protocol: the real stdout
 * goes to the server and {@code System.out} is pointed at stderr before anything else can print.
 */
@Command(name = "mcp", description = "Run the stdio MCP server (Claude Code or Codex start it; not for typing by hand).")
final class McpCommand implements Callable<Integer> {
    private static final String SERVER_CLASS = "io.agentpeers.mcp.PeersMcp";

    @Spec
    CommandSpec spec;

    @Option(names = "--client-type", paramLabel = "TYPE", defaultValue = "claude-code",
            description = "claude-code (messages pushed), codex or generic (the agent checks); default ${DEFAULT-VALUE}.")
    String clientType;

    @Option(names = "--name", paramLabel = "NAME", description = "The peer's name ([a-z0-9-]{1,32}).")
    String name;

    @Override
    public Integer call() throws Exception {
        OutputStream protocolOut = new FileOutputStream(FileDescriptor.out);
        System.setOut(new PrintStream(new FileOutputStream(FileDescriptor.err), true));
        CliContext context = ((PeersCli) spec.root().userObject()).context();
        PeersPaths paths = context.paths();
        McpSettings settings = new McpSettings(clientType, name, paths, BrokerAccess.brokerStarter(context, paths));
        Method run;
        try {
            // Looked up at run time while the MCP module is built in parallel; a direct call once it is there.
            run = Class.forName(SERVER_CLASS).getMethod("run", McpSettings.class, InputStream.class, OutputStream.class);
        } catch (ClassNotFoundException | NoSuchMethodException e) {
            context.err().println("peers: the MCP server is not built yet (no " + SERVER_CLASS
                    + ".run in this jar); rebuild with `mvn -B -DskipTests package` once peers-mcp has it");
            return 1;
        }
        try {
            return (Integer) run.invoke(null, settings, System.in, protocolOut);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof Exception cause) {
                throw cause;
            }
            throw e;
        }
    }
}
