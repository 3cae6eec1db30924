package io.agentpeers.testkit;

import io.agentpeers.core.port.PeerStore;
import io.agentpeers.store.memory.InMemoryPeerStore;

/** The in-memory store keeps the store contract (everything but surviving a reopen). */
class InMemoryPeerStoreContractTest extends AbstractPeerStoreContractTest {
    @Override
    protected PeerStore openStore() {
        return new InMemoryPeerStore();
    }
}
