/** The wire format: UTF-8 lines, the shared JSON mapper and the small JSON-RPC 2.0 value types. */
package io.agentpeers.protocol.wire;
