package io.agentpeers.broker;

import io.agentpeers.core.ClientType;
import io.agentpeers.core.Credentials;
import io.agentpeers.core.NameTakenException;
import io.agentpeers.core.NotAuthorizedException;
import io.agentpeers.core.Peer;
import io.agentpeers.core.PeerId;
import io.agentpeers.core.PeerNetwork;
import io.agentpeers.core.RegisterRequest;
import io.agentpeers.core.Registration;
import java.time.Duration;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The person's CLI peer, taken up for one dashboard action at a time the way a {@code peers} command does:
 * registered under its name (the network resumes a gone peer of the same uid, client type and name),
 * used, and let go at once, so that the person's own commands find it free again. The registration's
 * connection is the broker's process with the uid of the person who asked for the dashboard, so the
 * network's rules (kill: only the user's own verified peers) apply as to any CLI command.
 */
final class DashboardPerson {
    private static final Duration TAKE_UP_WAIT = Duration.ofSeconds(2);
    private static final Duration RETRY_PAUSE = Duration.ofMillis(20);

    private final PeerNetwork network;
    private volatile Peer person;
    private volatile Credentials credentials;

    DashboardPerson(PeerNetwork network, Peer person, Credentials asked) {
        this.network = network;
        update(person, asked);
    }

    /** The CLI peer that asked last, and its uid. */
    void update(Peer asker, Credentials asked) {
        this.person = asker;
        this.credentials = new Credentials(ProcessHandle.current().pid(), asked.uid(), asked.gid());
    }

    String name() {
        Peer now = person;
        return now.name() != null ? now.name() : now.id().value();
    }

    /**
     * Runs {@code kill} (another caller's) between two actions, never during one: the peer an action holds
     * has the broker's own process as its agent. Kills are rare and actions short, so one lock does.
     */
    synchronized <T> T apart(Supplier<T> kill) {
        return kill.get();
    }

    /**
     * Registers the CLI peer, waiting up to {@code wait} while its name is still held: a {@code peers} command
     * that has just ended closes its socket before the broker's selector has seen the close, so the name is
     * briefly live after the command returned.
     */
    private Registration registerWithin(Peer known, Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            try {
                return network.register(
                        credentials,
                        new RegisterRequest(
                                null,
                                known.name(),
                                known.cwd(),
                                known.gitRoot(),
                                known.repoKey(),
                                known.repoRemote(),
                                null,
                                ClientType.CLI,
                                null,
                                null,
                                null));
            } catch (NameTakenException e) {
                if (System.nanoTime() - deadline >= 0) {
                    throw new NameTakenException("your CLI peer " + known.name() + " is held by a running `peers`"
                            + " command (send --wait, inbox --wait?); try again when it ends");
                }
                sleepBriefly();
            }
        }
    }

    private static void sleepBriefly() {
        try {
            Thread.sleep(RETRY_PAUSE.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the CLI peer was busy", e);
        }
    }

    /** Runs {@code action} as the person's CLI peer; one action at a time. */
    synchronized <T> T act(Function<PeerId, T> action) {
        Peer known = person;
        if (known.name() == null) {
            throw new NotAuthorizedException("your CLI peer has no name, so the dashboard cannot take it up;"
                    + " set PEERS_CLI_NAME and run `peers dashboard` again");
        }
        Registration registration = registerWithin(known, TAKE_UP_WAIT);
        PeerId id = registration.peer().id();
        person = registration.peer();
        try {
            return action.apply(id);
        } finally {
            network.connectionClosed(id);
        }
    }
}
