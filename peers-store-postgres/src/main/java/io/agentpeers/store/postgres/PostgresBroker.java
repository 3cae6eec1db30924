package io.agentpeers.store.postgres;

import io.agentpeers.core.InvalidArgumentException;
import io.agentpeers.core.PeersLimits;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Who a store's broker is among the brokers sharing one PostgreSQL schema, and the periods of that sharing.
 *
 * @param id        stable across restarts (a broker keeps it in its {@code PEERS_HOME}): the peers it held are
 *                  its own again when it comes back, and two stores of one id are refused
 * @param host      the host name others see for its peers, or null
 * @param lease     how old a broker's heartbeat may grow before the others mark its peers gone; it beats every
 *                  third of it
 * @param nameGrace how long the names of peers marked gone that way stay reserved (as for a disconnect)
 * @param poll      how often the store looks for mail of other brokers when no notification came
 */
public record PostgresBroker(String id, String host, Duration lease, Duration nameGrace, Duration poll) {
    private static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9-]{0,39}");

    /** The default lease: a broker silent for this long is taken for dead. */
    public static final Duration DEFAULT_LEASE = Duration.ofSeconds(15);

    /** The default fallback poll for mail of other brokers. */
    public static final Duration DEFAULT_POLL = Duration.ofSeconds(2);

    public PostgresBroker {
        Objects.requireNonNull(id, "id");
        if (!ID.matcher(id).matches()) {
            throw new InvalidArgumentException(
                    "a broker id is 1 to 40 of a-z, 0-9 and '-' (starting with a letter or digit), not '" + id + "'");
        }
        positive(lease, "the lease");
        positive(nameGrace, "the name grace period");
        positive(poll, "the poll period");
    }

    /** The broker of a store nobody named: one id for every such store, so a second one is refused as before. */
    public static PostgresBroker single() {
        return of("default", localHost());
    }

    /** A broker with the default lease, grace period and poll. */
    public static PostgresBroker of(String id, String host) {
        return new PostgresBroker(
                id, host, DEFAULT_LEASE, PeersLimits.defaults().nameGrace(), DEFAULT_POLL);
    }

    public PostgresBroker withLease(Duration value) {
        return new PostgresBroker(id, host, value, nameGrace, poll);
    }

    public PostgresBroker withNameGrace(Duration value) {
        return new PostgresBroker(id, host, lease, value, poll);
    }

    public PostgresBroker withPoll(Duration value) {
        return new PostgresBroker(id, host, lease, nameGrace, value);
    }

    /** This machine's host name, or null when the system does not say. */
    public static String localHost() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return null;
        }
    }

    private static void positive(Duration d, String what) {
        Objects.requireNonNull(d, what);
        if (d.isZero() || d.isNegative()) {
            throw new InvalidArgumentException(what + " must be positive, got " + d);
        }
    }
}
