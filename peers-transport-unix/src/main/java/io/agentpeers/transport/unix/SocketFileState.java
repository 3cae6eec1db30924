package io.agentpeers.transport.unix;

/** What {@link SocketFiles#probe} found at a socket path. */
public enum SocketFileState {
    /** Nothing is there. */
    ABSENT,
    /** A socket file that something answers on (or that could not be judged: never remove it). */
    LIVE,
    /** A socket file that nothing answers on: left by a crash, safe to remove. */
    STALE,
    /** Some other kind of file: never remove it. */
    NOT_A_SOCKET
}
