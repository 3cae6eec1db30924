package io.agentpeers.core.port;

/** How many peers and messages a store holds, by state. */
public record StoreCounts(long livePeers, long gonePeers, long pending, long delivered, long read, long undeliverable) {

    /** All messages the store holds, in any state. */
    public long messages() {
        return pending + delivered + read + undeliverable;
    }
}
