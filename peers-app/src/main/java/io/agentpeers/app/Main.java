package io.agentpeers.app;

import io.agentpeers.cli.CliContext;
import io.agentpeers.cli.PeersCli;
import picocli.CommandLine;

/**
 * {@code java -jar peers.jar ...}: the {@code peers} command line with every command, {@code peers mcp}
 * included. Logging goes to stderr (slf4j-simple), set up before the first logger exists.
 */
public final class Main {
    private Main() {}

    /** Every command: the CLI's, plus the ones that host a broker and the MCP server, wired here. */
    static CommandLine commandLine(CliContext context) {
        CommandLine line = PeersCli.commandLine(context);
        line.getSubcommands().get("broker").addSubcommand(new BrokerRunCommand());
        line.addSubcommand(new DemoCommand());
        line.addSubcommand(new McpCommand());
        line.addSubcommand(new CdsTrainingCommand());
        return line;
    }

    public static void main(String[] args) {
        PeersCli.configureLogging(args);
        CliContext context = CliContext.system(Main.class.getName());
        System.exit(commandLine(context).execute(args));
    }
}
