package io.agentpeers.core;

/** The sender used up its token bucket; {@link #retryAfterMillis()} says when the next send fits. */
public class RateLimitedException extends PeersException {
    /** The {@linkplain PeersException#code() code} on the wire. */
    public static final String CODE = "rate_limited";
    /** See {@link #retryAfterMillis()}. */
    private final long retryAfterMillis;

    /**
     * @param retryAfterMillis when the next send fits, from now
     * @param perMinute        the sustained rate, for the message
     * @param burst            the burst size, for the message
     */
    public RateLimitedException(long retryAfterMillis, int perMinute, int burst) {
        super(CODE, "rate limited: at most " + perMinute + " messages a minute with bursts of " + burst
                + "; try again in " + Math.max(1, (retryAfterMillis + 999) / 1000) + " s");
        this.retryAfterMillis = retryAfterMillis;
    }

    /** Milliseconds until the sender's bucket holds a token again. */
    public long retryAfterMillis() {
        return retryAfterMillis;
    }
}
