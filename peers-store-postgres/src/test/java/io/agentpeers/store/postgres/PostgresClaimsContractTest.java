package io.agentpeers.store.postgres;

import io.agentpeers.core.port.PeerStore;
import io.agentpeers.testkit.AbstractClaimsContractTest;
import org.junit.jupiter.api.Tag;

/** The rules of claims over a real PostgreSQL server, a fresh schema per test. */
@Tag("postgres")
class PostgresClaimsContractTest extends AbstractClaimsContractTest {
    private final PostgresServer server = PostgresServer.shared();

    @Override
    protected PeerStore openStore() {
        return PostgresPeerStore.open(server.url(server.freshSchema()), server.credentials());
    }
}
