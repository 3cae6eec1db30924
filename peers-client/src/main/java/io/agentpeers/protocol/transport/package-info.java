/** How transports plug into the protocol: a listener that hands the server each accepted connection as a pair of selectable byte channels with the caller's identity, and a connector that opens blocking streams. */
package io.agentpeers.protocol.transport;
