package io.agentpeers.store.postgres;

import io.agentpeers.core.port.PeerStore;
import io.agentpeers.testkit.AbstractPeerNetworkContractTest;
import org.junit.jupiter.api.Tag;

/** The rules of peers over a real PostgreSQL server, a fresh schema per test. */
@Tag("postgres")
class PostgresPeerNetworkContractTest extends AbstractPeerNetworkContractTest {
    private final PostgresServer server = PostgresServer.shared();

    @Override
    protected PeerStore openStore() {
        return PostgresPeerStore.open(server.url(server.freshSchema()), server.credentials());
    }
}
