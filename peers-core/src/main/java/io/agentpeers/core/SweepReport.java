package io.agentpeers.core;

import java.util.List;

/**
 * What one sweep found and did.
 *
 * @param wentGone           live peers whose processes died, now gone
 * @param orphans            peers whose agent died while their connection process lives on (an MCP server
 *                           left behind); gone, and terminated when configured
 * @param terminatedOrphans  how many orphans were sent SIGTERM
 * @param undeliverable      messages whose recipient stayed away past the grace period
 * @param prunedMessages     read or undeliverable messages older than the retention period, deleted
 * @param prunedPeers        gone peers older than the retention period, deleted
 */
public record SweepReport(
        List<Peer> wentGone,
        List<Peer> orphans,
        int terminatedOrphans,
        int undeliverable,
        int prunedMessages,
        int prunedPeers) {

    /** Keeps copies of the lists. */
    public SweepReport {
        wentGone = List.copyOf(wentGone);
        orphans = List.copyOf(orphans);
    }
}
