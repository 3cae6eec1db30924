/** A {@link io.agentpeers.core.port.PeerStore} in the heap: for tests and programs that keep nothing across restarts. */
package io.agentpeers.store.memory;
