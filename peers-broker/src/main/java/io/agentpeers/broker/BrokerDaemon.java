package io.agentpeers.broker;

import io.agentpeers.core.PeersException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker as a process of its own, configured by the environment (see {@link BrokerConfig}).
 * It stops cleanly on SIGTERM (listeners closed, replies in flight written, database closed), on a
 * client's {@code shutdown}, or after the idle timeout. The CLI's {@code peers broker run} does the
 * same with flags; clients that find no broker start this class ({@link BrokerStarter}).
 */
public final class BrokerDaemon {
    private static final Logger LOG = LoggerFactory.getLogger(BrokerDaemon.class);

    private BrokerDaemon() {
    }

    public static void main(String[] args) {
        System.exit(run(BrokerConfig.fromEnvironment()));
    }

    /** Runs a broker until it stops; returns the process exit code (0 stopped cleanly, 1 could not start). */
    public static int run(BrokerConfig config) {
        PeersBroker broker;
        try {
            broker = config.builder().start();
        } catch (PeersException e) {
            LOG.error("the broker could not start: {}", e.getMessage());
            System.err.println("peers broker: " + e.getMessage());
            return 1;
        }
        Thread hook = new Thread(broker::close, "peers-sigterm");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            broker.awaitStop();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            broker.close();
        }
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // SIGTERM got here first; the hook closed the broker.
        }
        return 0;
    }
}
