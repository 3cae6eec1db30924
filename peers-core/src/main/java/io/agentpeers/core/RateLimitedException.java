package io.agentpeers.core;

/** The sender used up its token bucket; {@link #retryAfterMillis()} says when the next send fits. */
public class RateLimitedException extends PeersException {
    public static final String CODE = "rate_limited";
    private final long retryAfterMillis;

    public RateLimitedException(long retryAfterMillis, int perMinute, int burst) {
        super(CODE, "rate limited: at most " + perMinute + " messages a minute with bursts of " + burst
                + "; try again in " + Math.max(1, (retryAfterMillis + 999) / 1000) + " s");
        this.retryAfterMillis = retryAfterMillis;
    }

    public long retryAfterMillis() {
        return retryAfterMillis;
    }
}
