/** The TCP transport: loopback by default, unverified callers that must present the broker's token. */
package io.agentpeers.transport.tcp;
