package io.agentpeers.protocol.client;

import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Retries one attempt (connect, hello, resume) on a thread of its own until it succeeds or the
 * owner stops, sleeping a jittered {@link Backoff} between attempts. At most one loop runs at a time.
 */
final class ReconnectLoop {
    private static final Logger LOG = LoggerFactory.getLogger(ReconnectLoop.class);

    private final String address;
    private final Runnable attempt;
    private final BooleanSupplier stopped;
    private Thread thread; // guarded by this
    private boolean requested; // guarded by this

    /**
     * @param attempt one try; returns normally when connected, throws when not
     * @param stopped whether the owner closed: then the loop ends
     */
    ReconnectLoop(String address, Runnable attempt, BooleanSupplier stopped) {
        this.address = address;
        this.attempt = attempt;
        this.stopped = stopped;
    }

    /**
     * Asks for a reconnect: starts the loop, or, when one is still running (just succeeding, say),
     * makes it go round once more, so that a loss at that moment is not missed.
     */
    synchronized void start() {
        requested = true;
        if (thread != null && thread.isAlive()) {
            return;
        }
        thread = new Thread(this::run, "peers-client-reconnect");
        thread.setDaemon(true);
        thread.start();
    }

    /** Ends a running loop (its sleep is interrupted). */
    synchronized void stop() {
        if (thread != null) {
            thread.interrupt();
        }
    }

    private void run() {
        while (takeRequest()) {
            if (!retryUntilConnected()) {
                return;
            }
        }
    }

    private synchronized boolean takeRequest() {
        if (!requested || stopped.getAsBoolean()) {
            thread = null;
            return false;
        }
        requested = false;
        return true;
    }

    /** Whether it connected; false when the owner stopped or the thread was interrupted. */
    private boolean retryUntilConnected() {
        Backoff backoff = Backoff.forReconnects();
        while (!stopped.getAsBoolean()) {
            try {
                attempt.run();
                return true;
            } catch (RuntimeException e) {
                LOG.debug("reconnect to {} failed: {}", address, e.getMessage());
            }
            try {
                Thread.sleep(backoff.nextDelayMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return false;
    }
}
