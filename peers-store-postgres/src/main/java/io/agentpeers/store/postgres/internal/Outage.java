package io.agentpeers.store.postgres.internal;

import io.agentpeers.core.CommitInDoubtException;
import io.agentpeers.core.StoreUnavailableException;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;

/**
 * One spell during which the store cannot reach its server: since when, why, when it tries next, and the
 * one transaction (if any) whose COMMIT was under way when the connection broke, by its transaction id.
 * Every request meanwhile is refused with the same sentence.
 */
public final class Outage {
    private final String where;
    private final Instant since;
    private final String cause;
    private final Long inDoubtXid;
    private final CompletableFuture<Boolean> inDoubt;
    private volatile Instant nextTry;

    /**
     * @param inDoubtXid the transaction whose commit is in doubt, or null when nothing is (the connection
     *                   broke before a COMMIT, or between transactions)
     */
    public Outage(String where, Instant since, String cause, Long inDoubtXid) {
        this.where = where;
        this.since = since;
        this.cause = cause;
        this.inDoubtXid = inDoubtXid;
        this.inDoubt = inDoubtXid == null ? null : new CompletableFuture<>();
        this.nextTry = since;
    }

    public Instant since() {
        return since;
    }

    /** The transaction id whose outcome the reconnection must look up, or null. */
    public Long inDoubtXid() {
        return inDoubtXid;
    }

    /** Completed once the store knows whether {@link #inDoubtXid()} committed; null when nothing is in doubt. */
    public CompletableFuture<Boolean> inDoubt() {
        return inDoubt;
    }

    public void nextTry(Instant at) {
        nextTry = at;
    }

    /** The refusal of a request during the outage: which database, since when, the next attempt. */
    public StoreUnavailableException refusal() {
        return new StoreUnavailableException(sentence());
    }

    /** The refusal of the write whose commit broke: its callers wait for {@link #inDoubt()}. */
    public CommitInDoubtException doubt(Throwable cause) {
        return new CommitInDoubtException(sentence(), cause, inDoubt);
    }

    /** The refusal of the request that met the break. */
    public StoreUnavailableException refusal(Throwable cause) {
        return new StoreUnavailableException(sentence(), cause);
    }

    private String sentence() {
        Instant next = nextTry;
        return "the broker cannot reach its database " + where + " since " + since + " (" + cause
                + "): nothing of this request was written, and mail acknowledged before is kept; it reconnects"
                + " in the background" + (next.isAfter(since) ? ", next try at " + next : "")
                + ": try again in a few seconds";
    }
}
