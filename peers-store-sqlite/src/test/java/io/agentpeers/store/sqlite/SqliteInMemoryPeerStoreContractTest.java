package io.agentpeers.store.sqlite;

import io.agentpeers.core.port.PeerStore;
import io.agentpeers.testkit.AbstractPeerStoreContractTest;

/** The store contract over a private in-memory SQLite database. */
class SqliteInMemoryPeerStoreContractTest extends AbstractPeerStoreContractTest {
    @Override
    protected PeerStore openStore() {
        return SqlitePeerStore.openInMemory();
    }
}
