/** What the core needs from the outside world: a store, process inspection and a listener for committed events. */
package io.agentpeers.core.port;
