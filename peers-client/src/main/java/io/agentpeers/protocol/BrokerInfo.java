package io.agentpeers.protocol;

/**
 * The broker's answer to {@code hello} (docs/protocol.md, "Methods").
 *
 * @param protocol      the protocol version the broker speaks
 * @param brokerVersion the broker's peers version
 * @param transport     the transport of this connection, e.g. {@code "unix"} or {@code "tcp"}
 * @param verified      whether the operating system vouched for this connection's process
 * @param pid           the process the broker read as this connection's; null over TCP
 * @param uid           its user id; null over TCP
 */
public record BrokerInfo(int protocol, String brokerVersion, String transport, boolean verified, Long pid, Long uid) {}
