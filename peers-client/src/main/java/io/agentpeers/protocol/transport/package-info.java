/** How transports plug into the protocol: a listener that yields non-blocking channels and identifies callers, and a connector that opens blocking streams. */
package io.agentpeers.protocol.transport;
