package io.agentpeers.store.sqlite;

import io.agentpeers.core.port.PeerStore;
import io.agentpeers.testkit.AbstractPeerStoreContractTest;

/** The store contract over a SQLite file, which survives a reopen. */
class SqliteFilePeerStoreContractTest extends AbstractPeerStoreContractTest {
    @Override
    protected PeerStore openStore() {
        return SqlitePeerStore.open(tempDir.resolve("peers.db"));
    }

    @Override
    protected boolean survivesReopen() {
        return true;
    }

    @Override
    protected PeerStore reopenStore() {
        return SqlitePeerStore.open(tempDir.resolve("peers.db"));
    }
}
