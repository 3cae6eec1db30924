package io.agentpeers.store.postgres;

import io.agentpeers.core.port.PeerStore;
import io.agentpeers.testkit.AbstractPeerNetworkContractTest;
import org.junit.jupiter.api.Tag;

/** The rules of peers over a real PostgreSQL server, a fresh schema per test. */
@Tag("postgres")
class PostgresPeerNetworkContractTest extends AbstractPeerNetworkContractTest {
    private final PostgresServer server = PostgresServer.shared();
    private String schema;

    @Override
    protected PeerStore openStore() {
        schema = server.freshSchema();
        return PostgresPeerStore.open(server.url(schema), server.credentials());
    }

    @Override
    protected PeerStore reopenStore() {
        return PostgresPeerStore.open(server.url(schema), server.credentials());
    }
}
