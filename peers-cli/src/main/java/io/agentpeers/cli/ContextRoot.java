package io.agentpeers.cli;

/**
 * The root of a command line: it holds the {@link CliContext} every command of that line reads, and the
 * {@link GlobalOptions} that every command inherits.
 */
public interface ContextRoot {
    /** What the commands may see of the world. */
    CliContext context();

    /** The options given before or after the subcommand's name. */
    GlobalOptions options();
}
