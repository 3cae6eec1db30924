package io.agentpeers.core;

/**
 * One process, told apart from any later process that reuses its pid by its start time in clock
 * ticks since boot (field 22 of {@code /proc/<pid>/stat}), which stays the same across broker restarts.
 */
public record ProcessRef(long pid, int uid, long startTicks) {
    /** @throws InvalidArgumentException when the pid is not positive or the uid negative */
    public ProcessRef {
        if (pid <= 0) {
            throw new InvalidArgumentException("a pid must be positive, got " + pid);
        }
        if (uid < 0) {
            throw new InvalidArgumentException("a uid must not be negative, got " + uid);
        }
    }

    /** Whether {@code other} is this very process (same pid and start ticks). */
    public boolean sameProcessAs(ProcessRef other) {
        return other != null && pid == other.pid && startTicks == other.startTicks;
    }
}
