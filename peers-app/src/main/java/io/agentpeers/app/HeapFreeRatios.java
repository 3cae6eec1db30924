package io.agentpeers.app;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.ManagementFactory;
import java.util.function.BiConsumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The collector's {@code -XX:MinHeapFreeRatio} and {@code -XX:MaxHeapFreeRatio}, tight only for the collection
 * {@link IdleHeapShrink} asks for. Tight all the time (10/30), a busy broker's old generation stayed within a few
 * MiB of its live data and its young generation small: under a burst of 1 MiB {@code list_peers} replies it did
 * hundreds of full collections and never grew towards its {@code -Xmx}. So the broker runs with loose ratios
 * (BrokerStarter's JVM options) and this tightens them, both manageable flags, around the idle collection alone:
 * that collection gives the free part back, and the loose ratios are back before the next busy spell.
 */
final class HeapFreeRatios {
    private static final Logger LOG = LoggerFactory.getLogger(HeapFreeRatios.class);
    static final String MIN = "MinHeapFreeRatio";
    static final String MAX = "MaxHeapFreeRatio";
    /** The idle collection's ratios: what the broker ran with before (issue 14's idle RSS figures). */
    static final int IDLE_MIN = 10;

    static final int IDLE_MAX = 30;

    private final Function<String, String> get;
    private final BiConsumer<String, String> set;
    private boolean warned;

    /**
     * @param get a VM flag's value now
     * @param set sets a manageable VM flag (throws as HotSpot does when the value is refused)
     */
    HeapFreeRatios(Function<String, String> get, BiConsumer<String, String> set) {
        this.get = get;
        this.set = set;
    }

    /** This JVM's flags, through its HotSpotDiagnosticMXBean (loaded on the first collection, not at start). */
    static HeapFreeRatios forThisJvm() {
        return new HeapFreeRatios(
                name -> bean().getVMOption(name).getValue(), (name, value) -> bean().setVMOption(name, value));
    }

    private static HotSpotDiagnosticMXBean bean() {
        return ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
    }

    /** Runs {@code collect} with the idle ratios (never looser than the current ones), then puts these back. */
    void duringCollection(Runnable collect) {
        int min;
        int max;
        try {
            min = Integer.parseInt(get.apply(MIN));
            max = Integer.parseInt(get.apply(MAX));
        } catch (RuntimeException unreadable) {
            warnOnce(unreadable);
            collect.run();
            return;
        }
        int idleMin = Math.min(min, IDLE_MIN);
        int idleMax = Math.min(max, IDLE_MAX);
        boolean tightened = false;
        try {
            // HotSpot refuses a Max below the Min: lower the Min first, raise it again last.
            set.accept(MIN, Integer.toString(idleMin));
            set.accept(MAX, Integer.toString(idleMax));
            tightened = true;
        } catch (RuntimeException refused) {
            warnOnce(refused);
        }
        try {
            collect.run();
        } finally {
            restore(min, max, tightened);
        }
    }

    private void restore(int min, int max, boolean tightened) {
        try {
            set.accept(MAX, Integer.toString(max));
            set.accept(MIN, Integer.toString(min));
        } catch (RuntimeException refused) {
            if (tightened) {
                LOG.warn("could not put the heap's free ratios back to {}/{}: {}", min, max, refused.toString());
            }
        }
    }

    private void warnOnce(RuntimeException cause) {
        if (!warned) {
            warned = true;
            LOG.warn(
                    "the heap's free ratios cannot be set at run time; idle collections use the start-up ones: {}",
                    cause.toString());
        }
    }
}
