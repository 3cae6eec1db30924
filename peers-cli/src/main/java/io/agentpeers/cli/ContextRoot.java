package io.agentpeers.cli;

/** The root of a command line: it holds the {@link CliContext} every command of that line reads. */
public interface ContextRoot {
    /** What the commands may see of the world. */
    CliContext context();
}
