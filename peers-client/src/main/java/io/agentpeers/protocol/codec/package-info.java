/** The JSON shapes of peers, messages and envelopes on the wire (docs/protocol.md, "Value shapes"), both ways. */
package io.agentpeers.protocol.codec;
