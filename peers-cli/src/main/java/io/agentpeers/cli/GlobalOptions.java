package io.agentpeers.cli;

import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * The options every command takes, held by the root and inherited by each subcommand: {@code peers --json
 * status} and {@code peers status --json} set the same field here.
 */
public final class GlobalOptions {
    @Mixin
    ConnectionOptions connection = new ConnectionOptions();

    @Option(scope = ScopeType.INHERIT, names = "--json", description = "Print JSON for scripts instead of text.")
    boolean json;

    @Option(
            scope = ScopeType.INHERIT,
            names = {"-v", "--verbose"},
            description = "Show log lines and stack traces.")
    boolean verbose;

    /** Where to find the broker, as the options and the environment say. */
    public ConnectionOptions connection() {
        return connection;
    }

    public boolean json() {
        return json;
    }
}
