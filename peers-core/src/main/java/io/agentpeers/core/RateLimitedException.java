package io.agentpeers.core;

/** The sender used up its token bucket; {@link #retryAfterMillis()} says when the next send fits. */
public class RateLimitedException extends PeersException {
    /** See {@link #retryAfterMillis()}. */
    private final long retryAfterMillis;

    /**
     * @param retryAfterMillis when the next send fits, from now
     * @param perMinute        the sustained rate, for the message
     * @param burst            the burst size, for the message
     */
    public RateLimitedException(long retryAfterMillis, int perMinute, int burst) {
        this(
                "rate limited: at most " + perMinute + " messages a minute with bursts of " + burst + "; try again in "
                        + Math.max(1, (retryAfterMillis + 999) / 1000) + " s",
                retryAfterMillis);
    }

    private RateLimitedException(String message, long retryAfterMillis) {
        super(ErrorCode.RATE_LIMITED, message);
        this.retryAfterMillis = retryAfterMillis;
    }

    /** The exception a broker reported, with its sentence as it was sent (a client rebuilds it so). */
    public static RateLimitedException reported(String message, long retryAfterMillis) {
        return new RateLimitedException(message, retryAfterMillis);
    }

    /** How long to wait before the next send fits, in milliseconds. */
    public long retryAfterMillis() {
        return retryAfterMillis;
    }
}
