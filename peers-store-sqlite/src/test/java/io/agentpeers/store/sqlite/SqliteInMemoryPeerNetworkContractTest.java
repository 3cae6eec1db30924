package io.agentpeers.store.sqlite;

import io.agentpeers.core.port.PeerStore;
import io.agentpeers.testkit.AbstractPeerNetworkContractTest;

/** The rules of peers over a private in-memory SQLite database. */
class SqliteInMemoryPeerNetworkContractTest extends AbstractPeerNetworkContractTest {
    @Override
    protected PeerStore openStore() {
        return SqlitePeerStore.openInMemory();
    }
}
