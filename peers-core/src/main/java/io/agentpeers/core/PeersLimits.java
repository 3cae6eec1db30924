package io.agentpeers.core;

import java.time.Duration;
import java.util.Objects;

/**
 * The limits and periods of DESIGN.md, all configurable; {@link #defaults()} gives the documented ones.
 *
 * @param maxMessageBytes   largest message text, in UTF-8 bytes (64 KiB)
 * @param maxSummaryBytes   largest summary, in UTF-8 bytes (1 KiB)
 * @param ratePerMinute     messages a sending peer may send per minute, sustained (600)
 * @param rateBurst         messages a sending peer may send at once (200)
 * @param nameGrace         how long a gone peer keeps its name and its pending messages stay pending (24 h)
 * @param retention         how long read and undeliverable messages, and gone peers, are kept (7 days)
 * @param maxHistory        most messages one history request returns (500)
 * @param maxBatch          most write requests committed in one transaction (500)
 * @param terminateOrphans  whether the sweep ends MCP servers whose agent died
 * @param claims            the limits of claims on paths
 * @param maxExchanges      most exchanges (turns) two agents make within {@code exchangeWindow} with nobody else in
 *                          between before further messages are held for a person to release (20; 0 turns the
 *                          guard off; at most {@value #MAX_EXCHANGES}, so that counting stays a short read)
 * @param exchangeWindow    the period those exchanges are counted over (10 minutes)
 */
public record PeersLimits(
        int maxMessageBytes,
        int maxSummaryBytes,
        int ratePerMinute,
        int rateBurst,
        Duration nameGrace,
        Duration retention,
        int maxHistory,
        int maxBatch,
        boolean terminateOrphans,
        ClaimLimits claims,
        int maxExchanges,
        Duration exchangeWindow) {

    /** The largest ping-pong limit: the guard reads about twice as many messages of a pair to count. */
    public static final int MAX_EXCHANGES = 1000;

    /**
     * @throws InvalidArgumentException when a size, rate or count is below 1 (the summary limit below 0) or a period is negative
     */
    public PeersLimits {
        Objects.requireNonNull(nameGrace, "nameGrace");
        Objects.requireNonNull(retention, "retention");
        Objects.requireNonNull(claims, "claims");
        Objects.requireNonNull(exchangeWindow, "exchangeWindow");
        if (maxMessageBytes < 1
                || maxSummaryBytes < 0
                || ratePerMinute < 1
                || rateBurst < 1
                || maxHistory < 1
                || maxBatch < 1
                || nameGrace.isNegative()
                || retention.isNegative()
                || maxExchanges < 0
                || maxExchanges > MAX_EXCHANGES
                || exchangeWindow.isNegative()) {
            // Not "this": in a compact constructor the fields are not assigned yet.
            throw new InvalidArgumentException("limits must be positive (max_exchanges 0 to " + MAX_EXCHANGES
                    + "): max_message_bytes=" + maxMessageBytes
                    + " max_summary_bytes=" + maxSummaryBytes + " rate=" + ratePerMinute + "/" + rateBurst
                    + " max_history=" + maxHistory + " max_batch=" + maxBatch + " name_grace=" + nameGrace
                    + " retention=" + retention + " max_exchanges=" + maxExchanges + " exchange_window="
                    + exchangeWindow);
        }
    }

    /** The documented limits: the values in parentheses above, orphans left running. */
    public static PeersLimits defaults() {
        return new PeersLimits(
                64 * 1024,
                1024,
                600,
                200,
                Duration.ofHours(24),
                Duration.ofDays(7),
                500,
                500,
                false,
                ClaimLimits.defaults(),
                20,
                Duration.ofMinutes(10));
    }

    /** These limits with another rate: {@code perMinute} sustained, bursts of {@code burst}. */
    public PeersLimits withRate(int perMinute, int burst) {
        return new PeersLimits(
                maxMessageBytes,
                maxSummaryBytes,
                perMinute,
                burst,
                nameGrace,
                retention,
                maxHistory,
                maxBatch,
                terminateOrphans,
                claims,
                maxExchanges,
                exchangeWindow);
    }

    /** These limits with another largest message text, in UTF-8 bytes. */
    public PeersLimits withMaxMessageBytes(int bytes) {
        return new PeersLimits(
                bytes,
                maxSummaryBytes,
                ratePerMinute,
                rateBurst,
                nameGrace,
                retention,
                maxHistory,
                maxBatch,
                terminateOrphans,
                claims,
                maxExchanges,
                exchangeWindow);
    }

    /** These limits with another grace period for gone peers' names and pending messages. */
    public PeersLimits withNameGrace(Duration grace) {
        return new PeersLimits(
                maxMessageBytes,
                maxSummaryBytes,
                ratePerMinute,
                rateBurst,
                grace,
                retention,
                maxHistory,
                maxBatch,
                terminateOrphans,
                claims,
                maxExchanges,
                exchangeWindow);
    }

    /** These limits with another retention period for old messages and gone peers. */
    public PeersLimits withRetention(Duration keep) {
        return new PeersLimits(
                maxMessageBytes,
                maxSummaryBytes,
                ratePerMinute,
                rateBurst,
                nameGrace,
                keep,
                maxHistory,
                maxBatch,
                terminateOrphans,
                claims,
                maxExchanges,
                exchangeWindow);
    }

    /** These limits with orphaned MCP servers ended by the sweep, or left running. */
    public PeersLimits withTerminateOrphans(boolean terminate) {
        return new PeersLimits(
                maxMessageBytes,
                maxSummaryBytes,
                ratePerMinute,
                rateBurst,
                nameGrace,
                retention,
                maxHistory,
                maxBatch,
                terminate,
                claims,
                maxExchanges,
                exchangeWindow);
    }

    /** These limits with other limits of claims on paths. */
    public PeersLimits withClaims(ClaimLimits newClaims) {
        return new PeersLimits(
                maxMessageBytes,
                maxSummaryBytes,
                ratePerMinute,
                rateBurst,
                nameGrace,
                retention,
                maxHistory,
                maxBatch,
                terminateOrphans,
                newClaims,
                maxExchanges,
                exchangeWindow);
    }

    /** These limits with another ping-pong guard: at most {@code max} exchanges of a pair within {@code window}. */
    public PeersLimits withExchanges(int max, Duration window) {
        return new PeersLimits(
                maxMessageBytes,
                maxSummaryBytes,
                ratePerMinute,
                rateBurst,
                nameGrace,
                retention,
                maxHistory,
                maxBatch,
                terminateOrphans,
                claims,
                max,
                window);
    }
}
