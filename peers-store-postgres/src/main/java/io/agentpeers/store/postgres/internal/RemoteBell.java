package io.agentpeers.store.postgres.internal;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import org.postgresql.PGConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One thread with a connection of its own that LISTENs on the broker's channel and rings the bell at each
 * notification, at each poll period without one (a notification can be missed: the connection broke, or
 * the server dropped the queue), and after each reconnection. A broken connection is opened again after
 * a backoff of 100 ms doubling up to 5 s.
 */
public final class RemoteBell implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RemoteBell.class);
    private static final long MAX_BACKOFF_MILLIS = 5_000;

    /** Opens a connection in auto-commit mode. */
    @FunctionalInterface
    public interface Connector {
        Connection open() throws SQLException;
    }

    private final Connector connector;
    private final String channel;
    private final long pollMillis;
    private final Runnable bell;
    private final Thread thread;
    private volatile boolean closed;
    private volatile Connection current;

    public RemoteBell(Connector connector, String channel, Duration poll, Runnable bell) {
        this.connector = connector;
        this.channel = channel;
        this.pollMillis = Math.max(1, poll.toMillis());
        this.bell = bell;
        this.thread = new Thread(this::loop, "peers-pg-bell");
        this.thread.setDaemon(true);
    }

    public void start() {
        thread.start();
    }

    private void loop() {
        long backoff = 100;
        while (!closed) {
            try (Connection c = connector.open()) {
                current = c;
                if (closed) {
                    break;
                }
                try (Statement s = c.createStatement()) {
                    s.execute("LISTEN \"" + channel + "\"");
                }
                backoff = 100;
                ring(); // whatever was committed while nobody listened
                PGConnection pg = c.unwrap(PGConnection.class);
                while (!closed) {
                    pg.getNotifications((int) pollMillis);
                    if (!closed) {
                        ring();
                    }
                }
            } catch (SQLException | RuntimeException e) {
                if (closed) {
                    break;
                }
                LOG.warn(
                        "event=error listening for other brokers' mail failed, again in {} ms: {}",
                        backoff,
                        e.toString());
                sleep(backoff);
                backoff = Math.min(MAX_BACKOFF_MILLIS, backoff * 2);
            } finally {
                current = null;
            }
        }
    }

    private void ring() {
        try {
            bell.run();
        } catch (RuntimeException e) {
            LOG.warn("event=error the bell for other brokers' mail failed: {}", e.toString());
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops the thread: closes its connection (ending a wait for notifications) and waits for it. */
    @Override
    public void close() {
        closed = true;
        Connection c = current;
        if (c != null) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // Closing is all that was wanted.
            }
        }
        thread.interrupt();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
