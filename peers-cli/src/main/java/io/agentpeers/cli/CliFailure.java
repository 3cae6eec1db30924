package io.agentpeers.cli;

import io.agentpeers.core.ErrorCode;
import io.agentpeers.core.PeersException;

/**
 * A command failed in a way the person can fix: the message is one sentence that says how, and
 * {@link #exitCode()} is what the process exits with (1 failed, 2 usage, 3 broker unreachable).
 */
public class CliFailure extends PeersException {
    /** The command could not do its job. */
    public static final int FAILED = 1;
    /** The command line was wrong. */
    public static final int USAGE = 2;
    /** No broker answered. */
    public static final int UNREACHABLE = 3;

    private final int exitCode;

    public CliFailure(String message) {
        this(ErrorCode.COMMAND_FAILED, FAILED, message, null);
    }

    public CliFailure(ErrorCode code, int exitCode, String message, Throwable cause) {
        super(code, message, cause);
        this.exitCode = exitCode;
    }

    /** The command line asked for something that does not exist (exit code 2). */
    public static CliFailure usage(String message) {
        return new CliFailure(ErrorCode.INVALID_ARGUMENT, USAGE, message, null);
    }

    /** No broker answers where this CLI looked. */
    public static CliFailure unreachable(String message, Throwable cause) {
        return new CliFailure(ErrorCode.BROKER_UNREACHABLE, UNREACHABLE, message, cause);
    }

    public int exitCode() {
        return exitCode;
    }
}
