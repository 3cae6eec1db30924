package io.agentpeers.app;

import io.agentpeers.cli.CliContext;
import io.agentpeers.cli.PeersCli;
import java.util.List;

/**
 * {@code java -jar peers.jar ...}: the {@code peers} command line with every command, {@code peers mcp}
 * included. Logging goes to stderr (slf4j-simple), set up before the first logger exists.
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        PeersCli.configureLogging(args);
        CliContext context = CliContext.system(Main.class.getName());
        System.exit(PeersCli.execute(context, args, List.of(new McpCommand(), new CdsTrainingCommand())));
    }
}
