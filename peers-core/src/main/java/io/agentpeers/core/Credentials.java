package io.agentpeers.core;

/**
 * Who holds a connection, as the operating system told the transport (Unix socket peer credentials).
 * Never taken from a request. A connection without credentials (TCP) is unverified.
 */
public record Credentials(long pid, int uid, int gid) {
    /** @throws InvalidArgumentException when the pid is not positive */
    public Credentials {
        if (pid <= 0) {
            throw new InvalidArgumentException("a pid must be positive, got " + pid);
        }
    }
}
