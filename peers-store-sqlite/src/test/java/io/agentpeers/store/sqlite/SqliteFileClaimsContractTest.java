package io.agentpeers.store.sqlite;

import io.agentpeers.core.port.PeerStore;
import io.agentpeers.testkit.AbstractClaimsContractTest;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The rules of claims over a SQLite file. */
class SqliteFileClaimsContractTest extends AbstractClaimsContractTest {
    @TempDir
    Path dir;

    @Override
    protected PeerStore openStore() {
        return SqlitePeerStore.open(dir.resolve("peers.db"));
    }
}
