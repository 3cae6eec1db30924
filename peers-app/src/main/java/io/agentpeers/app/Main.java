package io.agentpeers.app;

import io.agentpeers.cli.CliContext;
import io.agentpeers.cli.ContextRoot;
import io.agentpeers.cli.GlobalOptions;
import io.agentpeers.cli.PeersCli;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
        CommandLine line = new CommandLine(new OneCommandRoot(context));
        line.addSubcommand(broker);
        return PeersCli.configure(line, context);
    }

    /**
     * The root of a command line with one command ({@link #brokerProcess}, {@link #commandLine(CliContext,
     * String[])}): it only holds the context and the global options.
     */
    @Command(
            name = "peers",
            scope = ScopeType.INHERIT,
            mixinStandardHelpOptions = true,
            versionProvider = PeersCli.Version.class,
            description = "A peer network for AI coding agents on one machine.",
            // As PeersCli's: inherited, every command's usage lists them.
            exitCodeListHeading = "%nExit codes:%n",
            exitCodeList = {"0:done", "1:failed", "2:usage error", "3:broker unreachable"})
    static final class OneCommandRoot implements ContextRoot {
        @Mixin
        GlobalOptions options = new GlobalOptions();

        private final CliContext context;

        OneCommandRoot(CliContext context) {
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

    /**
     * The command line for these arguments: when they name a command, the root with that command alone;
     * {@code --version} alone, the root alone; else (help, no command, an unknown one) every command. picocli
     * builds the model of every command it is given, and every command's classes came with it (about 2,000
     * classes for {@code --version}, Jackson's among them): a cold {@code peers status} or {@code peers mcp}
     * now loads only what it runs.
     */
    static CommandLine commandLine(CliContext context, String[] args) {
        if (PeersCli.runsTheBroker(args)) {
            return brokerProcess(context);
        }
        int at = PeersCli.firstWord(args);
        List<String> options = Arrays.asList(args).subList(0, Math.min(at, args.length));
        boolean help = options.contains("-h") || options.contains("--help");
        if (at >= args.length) {
            boolean version = options.contains("-V") || options.contains("--version");
            return version && !help
                    ? PeersCli.configure(new CommandLine(new OneCommandRoot(context)), context)
                    : commandLine(context);
        }
        Class<?> command = help ? null : topLevelCommands().get(args[at]);
        if (command == null || command == HelpCommandMarker.class) {
            return commandLine(context);
        }
        CommandLine one = new CommandLine(command);
        if (args[at].equals("broker")) {
            one.addSubcommand(new BrokerRunCommand());
        }
        CommandLine line = new CommandLine(new OneCommandRoot(context));
        line.addSubcommand(one);
        return PeersCli.configure(line, context);
    }

    /**
     * The top-level commands by name and alias, from their annotations (no command is made here): the
     * CLI's and the app's. {@code help} maps to {@link HelpCommandMarker}: it needs every command.
     */
    static Map<String, Class<?>> topLevelCommands() {
        Map<String, Class<?>> byName = new HashMap<>();
        List<Class<?>> classes = new ArrayList<>(
                List.of(PeersCli.class.getAnnotation(Command.class).subcommands()));
        classes.addAll(List.of(DemoCommand.class, McpCommand.class, CdsTrainingCommand.class));
        for (Class<?> type : classes) {
            Command command = type.getAnnotation(Command.class);
            Class<?> target = command.helpCommand() ? HelpCommandMarker.class : type;
            byName.put(command.name(), target);
            for (String alias : command.aliases()) {
                byName.put(alias, target);
            }
        }
        return byName;
    }

    /** Stands for a help command in {@link #topLevelCommands}. */
    private static final class HelpCommandMarker {}

    public static void main(String[] args) {
        PeersCli.configureLogging(args);
        CliContext context = CliContext.system(Main.class.getName());
        System.exit(commandLine(context, args).execute(args));
    }
}
