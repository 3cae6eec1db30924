/** PeersClient: the Java client of a peers broker, with push, long poll and automatic resume. */
package io.agentpeers.protocol.client;
