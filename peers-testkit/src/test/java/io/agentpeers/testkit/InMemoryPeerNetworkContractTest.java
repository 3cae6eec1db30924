package io.agentpeers.testkit;

import io.agentpeers.core.port.PeerStore;
import io.agentpeers.store.memory.InMemoryPeerStore;

/** The rules of the network hold over the in-memory store too. */
class InMemoryPeerNetworkContractTest extends AbstractPeerNetworkContractTest {
    @Override
    protected PeerStore openStore() {
        return new InMemoryPeerStore();
    }
}
