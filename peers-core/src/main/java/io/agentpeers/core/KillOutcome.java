package io.agentpeers.core;

/**
 * What the broker holding a victim answered to a kill request: carried out (signalled or not), or refused
 * with the error code and sentence of its own checks.
 *
 * @param signalled whether SIGTERM was sent (false when refused, or when the process had already ended)
 * @param refusal   the code of the refusal ({@code kill_refused} or {@code not_authorized}), or {@code null}
 *                  when the kill was carried out
 * @param reason    the refusal's sentence, or {@code null}
 */
public record KillOutcome(boolean signalled, ErrorCode refusal, String reason) {
    /** A kill carried out. */
    public static KillOutcome carriedOut(boolean signalled) {
        return new KillOutcome(signalled, null, null);
    }

    /** A kill refused by the holder's rule {@code e}. */
    public static KillOutcome refused(PeersException e) {
        ErrorCode code = e.errorCode() == ErrorCode.NOT_AUTHORIZED ? ErrorCode.NOT_AUTHORIZED : ErrorCode.KILL_REFUSED;
        return new KillOutcome(false, code, e.getMessage());
    }

    /** Whether the holder refused. */
    public boolean wasRefused() {
        return refusal != null;
    }
}
