package io.agentpeers.cli;

import io.agentpeers.core.PeersException;
import io.agentpeers.core.StoreUnavailableException;
import io.agentpeers.core.UnknownMessageException;
import io.agentpeers.core.UnknownPeerException;
import io.agentpeers.protocol.PeersVersion;
import io.agentpeers.protocol.client.BrokerUnavailableException;
import io.agentpeers.protocol.client.PeersClient;
import io.agentpeers.protocol.transport.TransportException;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * The {@code peers} command. Exit codes: 0 done, 1 failed, 2 usage, 3 broker unreachable. Errors are
 * one sentence with the fix on stderr; {@code --verbose} adds the stack trace.
 */
@Command(
        name = "peers",
        // Inherited: every command, those the app adds included, answers --help, -h and --version.
        scope = ScopeType.INHERIT,
        mixinStandardHelpOptions = true,
        versionProvider = PeersCli.Version.class,
        description = "A peer network for AI coding agents on one machine.",
        subcommands = {
            BrokerCommands.Broker.class,
            BrokerCommands.KillBroker.class,
            StatusCommands.Status.class,
            PeerCommands.ListPeers.class,
            PeerCommands.Send.class,
            CoordinationCommands.Ask.class,
            CoordinationCommands.Release.class,
            PeerCommands.Kill.class,
            PeerCommands.History.class,
            PeerCommands.Inbox.class,
            StatusCommands.Orphans.class,
            StatusCommands.Cleanup.class,
            StatusCommands.Watch.class,
            DashboardCommand.class,
            InstallCommands.Install.class,
            TlsCommands.Tls.class,
            DoctorCommand.class,
            HelpCommand.class
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:done", "1:failed", "2:usage error", "3:broker unreachable"})
public final class PeersCli implements Callable<Integer>, ContextRoot {
    @Spec
    CommandSpec spec;

    @Mixin
    GlobalOptions options = new GlobalOptions();

    private final CliContext context;

    public PeersCli(CliContext context) {
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

    @Override
    public Integer call() {
        spec.commandLine().usage(context.err());
        return CliFailure.USAGE;
    }

    /**
     * The picocli command line wired to {@code context}'s streams and the exit-code rules, with the
     * commands that need no broker of their own. The composition root adds the ones that host one
     * ({@code broker run}, {@code demo}) and {@code mcp} before it executes the line.
     */
    public static CommandLine commandLine(CliContext context) {
        return configure(new CommandLine(new PeersCli(context)), context);
    }

    /**
     * Wires {@code line} (whose root is a {@link ContextRoot}) to {@code context}'s streams and the exit-code
     * rules, for its commands added so far; returns it.
     */
    public static CommandLine configure(CommandLine line, CliContext context) {
        line.setCaseInsensitiveEnumValuesAllowed(true);
        line.setOut(new PrintWriter(context.out(), true));
        line.setErr(new PrintWriter(context.err(), true));
        line.setExecutionExceptionHandler((exception, commandLine, parseResult) -> {
            boolean verbose = parseResult.originalArgs().contains("--verbose")
                    || parseResult.originalArgs().contains("-v");
            return report(context, exception, verbose);
        });
        return line;
    }

    /** Prints a failure as one sentence (and the trace when verbose); returns its exit code. */
    static int report(CliContext context, Exception exception, boolean verbose) {
        int code;
        String message;
        if (exception instanceof CliFailure failure) {
            code = failure.exitCode();
            message = failure.getMessage();
        } else if (exception instanceof BrokerUnavailableException || exception instanceof TransportException) {
            code = CliFailure.UNREACHABLE;
            message = exception.getMessage() + "; check `peers broker status`";
        } else if (exception instanceof StoreUnavailableException unavailable) {
            code = CliFailure.FAILED;
            message = unavailable.getMessage() + " (`peers status` says when the broker has its database back)";
        } else if (exception instanceof UnknownPeerException unknown) {
            code = CliFailure.FAILED;
            // The broker's sentence names the nearest peers when there are some; else say how to see them.
            message =
                    unknown.getMessage() + (unknown.suggestions().isEmpty() ? "; `peers list` shows who is there" : "");
        } else if (exception instanceof UnknownMessageException unknown) {
            code = CliFailure.FAILED;
            message = unknown.getMessage() + "; `peers history` and `peers inbox` show the ids";
        } else if (exception instanceof PeersException peers) {
            code = CliFailure.FAILED;
            message = peers.getMessage();
        } else {
            code = CliFailure.FAILED;
            message = "unexpected failure: " + exception + (verbose ? "" : " (run again with --verbose for details)");
        }
        Terminal terminal = new Terminal(context.out(), context.err(), context.colour());
        context.err().println(terminal.red("peers:") + " " + message);
        if (verbose) {
            exception.printStackTrace(context.err());
        }
        return code;
    }

    /** The global options that take a value as the next argument ({@link ConnectionOptions}). */
    private static final List<String> OPTIONS_WITH_VALUE = List.of("--home", "--socket", "--tcp-url", "--token");

    /**
     * Whether these arguments are {@code broker run ...}, global options before it allowed ({@code --home X
     * broker run}): the command of a broker process.
     */
    public static boolean runsTheBroker(String[] args) {
        int i = firstWord(args);
        return args.length >= i + 2 && args[i].equals("broker") && args[i + 1].equals("run");
    }

    /** The index of the first argument that is not a global option (or its value): the command's name. */
    public static int firstWord(String[] args) {
        int i = 0;
        while (i < args.length && args[i].startsWith("-")) {
            i += OPTIONS_WITH_VALUE.contains(args[i]) ? 2 : 1;
        }
        return i;
    }

    /**
     * Sets slf4j-simple's defaults before the first logger exists: everything to stderr, warnings only
     * for commands, info with times for {@code broker run}, debug with {@code --verbose}.
     */
    public static void configureLogging(String[] args) {
        List<String> list = Arrays.asList(args);
        boolean brokerRun = runsTheBroker(args);
        boolean verbose = list.contains("--verbose") || list.contains("-v");
        setDefault("org.slf4j.simpleLogger.logFile", "System.err");
        setDefault("org.slf4j.simpleLogger.defaultLogLevel", verbose ? "debug" : brokerRun ? "info" : "warn");
        setDefault("org.slf4j.simpleLogger.showThreadName", "false");
        setDefault("org.slf4j.simpleLogger.showShortLogName", "true");
        if (brokerRun) {
            setDefault("org.slf4j.simpleLogger.showDateTime", "true");
            setDefault("org.slf4j.simpleLogger.dateTimeFormat", "yyyy-MM-dd'T'HH:mm:ss.SSSXXX");
        }
    }

    private static void setDefault(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }

    /** {@code peers --version}. */
    public static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {
                // PeersVersion, not PeersClient.VERSION: loading the client loads Jackson (about 490 classes).
                "peers " + PeersVersion.VERSION + " (protocol " + PeersClient.PROTOCOL_VERSION + ", Java "
                        + Runtime.version() + ")"
            };
        }
    }
}
