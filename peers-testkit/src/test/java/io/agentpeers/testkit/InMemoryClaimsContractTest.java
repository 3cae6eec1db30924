package io.agentpeers.testkit;

import io.agentpeers.core.port.PeerStore;
import io.agentpeers.store.memory.InMemoryPeerStore;

/** The rules of claims hold over the in-memory store. */
class InMemoryClaimsContractTest extends AbstractClaimsContractTest {
    @Override
    protected PeerStore openStore() {
        return new InMemoryPeerStore();
    }
}
