/**
 * TLS for the TCP transport: the team's certificate authority ({@link io.agentpeers.transport.tcp.tls.TeamAuthority}),
 * its files, the SSL contexts built from them, and the non-blocking TLS channel the broker's selector drives.
 */
package io.agentpeers.transport.tcp.tls;
