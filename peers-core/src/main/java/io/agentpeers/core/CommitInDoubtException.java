package io.agentpeers.core;

import java.util.Objects;
import java.util.concurrent.CompletionStage;

/**
 * The connection to the store broke while it committed: the transaction may or may not have committed, and
 * only the database knows. The store finds out once it reconnects and completes {@link #outcome()}: {@code
 * true} when it did commit, {@code false} when it did not, exceptionally when it cannot tell (a {@link
 * StoreLostException} when the store gave up). A writer holds its callers' answers until then: acknowledging
 * would claim what may not be written, and refusing would make a caller send again what may be there.
 */
public class CommitInDoubtException extends StoreUnavailableException {
    private final transient CompletionStage<Boolean> outcome;

    /**
     * @param message what happened, for a log
     * @param cause   the driver's report of the broken connection
     * @param outcome completed by the store once it knows whether the transaction committed
     */
    public CommitInDoubtException(String message, Throwable cause, CompletionStage<Boolean> outcome) {
        super(message, cause);
        this.outcome = Objects.requireNonNull(outcome, "outcome");
    }

    /** Whether the transaction committed, once the store knows. */
    public CompletionStage<Boolean> outcome() {
        return outcome;
    }
}
