package io.agentpeers.app;

import io.agentpeers.cli.CliContext;
import io.agentpeers.cli.ContextRoot;
import io.agentpeers.cli.GlobalOptions;
import io.agentpeers.cli.PeersCli;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ScopeType;

/**
 * {@code java -jar peers.jar ...}: the {@code peers} command line with every command, {@code peers mcp}
 * included. Logging goes to stderr (slf4j-simple), set up before the first logger exists.
 */
public final class Main {
    private Main() {}

    /**
     * The command line of a broker process, {@code peers broker run} alone: the model of the whole CLI
     * would stay in the broker's memory for its whole life (about 6 MiB of its resident set).
     */
    static CommandLine brokerProcess(CliContext context) {
        CommandLine broker = new CommandLine(new BrokerGroup());
        broker.addSubcommand(new BrokerRunCommand());
        CommandLine line = new CommandLine(new BrokerProcessRoot(context));
        line.addSubcommand(broker);
        return PeersCli.configure(line, context);
    }

    /** The root of {@link #brokerProcess}: it only holds the context. */
    @Command(
            name = "peers",
            scope = ScopeType.INHERIT,
            mixinStandardHelpOptions = true,
            versionProvider = PeersCli.Version.class,
            description = "The peers broker process.")
    static final class BrokerProcessRoot implements ContextRoot {
        @Mixin
        GlobalOptions options = new GlobalOptions();

        private final CliContext context;

        BrokerProcessRoot(CliContext context) {
            this.context = context;
        }

        @Override
        public CliContext context() {
            return context;
        }

        @Override
        public GlobalOptions options() {
            return options;
        }
    }

    /** {@code broker} in {@link #brokerProcess}: only {@code run} below it. */
    @Command(name = "broker", description = "Run the broker.")
    static final class BrokerGroup {}

    /** Every command: the CLI's, plus the ones that host a broker and the MCP server, wired here. */
    static CommandLine commandLine(CliContext context) {
        CommandLine line = PeersCli.commandLine(context);
        line.getSubcommands().get("broker").addSubcommand(new BrokerRunCommand());
        line.addSubcommand(new DemoCommand());
        line.addSubcommand(new McpCommand());
        line.addSubcommand(new CdsTrainingCommand());
        // Again: picocli hands the streams and handlers only to the commands added so far.
        return PeersCli.configure(line, context);
    }

    public static void main(String[] args) {
        PeersCli.configureLogging(args);
        CliContext context = CliContext.system(Main.class.getName());
        CommandLine line = PeersCli.runsTheBroker(args) ? brokerProcess(context) : commandLine(context);
        System.exit(line.execute(args));
    }
}
