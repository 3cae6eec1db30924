package io.agentpeers.store.sqlite;

import io.agentpeers.core.port.PeerStore;
import io.agentpeers.testkit.AbstractPeerNetworkContractTest;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The rules of peers over a SQLite file. */
class SqliteFilePeerNetworkContractTest extends AbstractPeerNetworkContractTest {
    @TempDir
    Path dir;

    @Override
    protected PeerStore openStore() {
        return SqlitePeerStore.open(dir.resolve("peers.db"));
    }

    @Override
    protected PeerStore reopenStore() {
        return openStore();
    }
}
