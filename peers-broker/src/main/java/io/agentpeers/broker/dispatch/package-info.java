/** The broker side of the protocol: maps JSON-RPC requests onto the core's use cases and pushes what they commit. */
package io.agentpeers.broker.dispatch;
