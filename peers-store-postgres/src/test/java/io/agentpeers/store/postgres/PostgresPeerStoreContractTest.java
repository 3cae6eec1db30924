package io.agentpeers.store.postgres;

import io.agentpeers.core.port.PeerStore;
import io.agentpeers.testkit.AbstractPeerStoreContractTest;
import org.junit.jupiter.api.Tag;

/** The store contract over a real PostgreSQL server, a fresh schema per test; it survives a reopen. */
@Tag("postgres")
class PostgresPeerStoreContractTest extends AbstractPeerStoreContractTest {
    private final PostgresServer server = PostgresServer.shared();
    private String schema;

    @Override
    protected PeerStore openStore() {
        schema = server.freshSchema();
        return PostgresPeerStore.open(server.url(schema), server.credentials());
    }

    @Override
    protected boolean survivesReopen() {
        return true;
    }

    @Override
    protected PeerStore reopenStore() {
        return PostgresPeerStore.open(server.url(schema), server.credentials());
    }
}
