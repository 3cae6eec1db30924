package io.agentpeers.cli;

import io.agentpeers.core.StoreUnavailableException;
import io.agentpeers.core.port.PeerStore;

/**
 * A store whose database can be made unreachable, as a PostgreSQL store is during an outage: while off, every
 * call throws the {@link StoreUnavailableException} such a store throws, before touching the store under it.
 * The faces' tests need only what the broker answers then; the outage itself is tested on a real server in
 * peers-store-postgres.
 */
final class OutageSwitch implements PeerStore {
    static final String REFUSAL = "the broker cannot reach its database jdbc:postgresql://127.0.0.1:5432/peers"
            + " since 2026-01-01T00:00:00Z (Connection refused): nothing of this request was written, and mail"
            + " acknowledged before is kept; it reconnects in the background: try again in a few seconds";

    private final PeerStore store;
    private volatile boolean down;

    OutageSwitch(PeerStore store) {
        this.store = store;
    }

    void down(boolean value) {
        down = value;
    }

    @Override
    public <T> T inTransaction(StoreWork<T> work) {
        refuseWhileDown();
        return store.inTransaction(work);
    }

    @Override
    public <T> T read(StoreWork<T> work) {
        refuseWhileDown();
        return store.read(work);
    }

    private void refuseWhileDown() {
        if (down) {
            throw new StoreUnavailableException(REFUSAL);
        }
    }

    @Override
    public String description() {
        return store.description();
    }

    @Override
    public void close() {
        store.close();
    }
}
