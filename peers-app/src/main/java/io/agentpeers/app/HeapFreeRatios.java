package io.agentpeers.app;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.ManagementFactory;
import java.util.function.BiConsumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The collector's {@code -XX:MinHeapFreeRatio} and {@code -XX:MaxHeapFreeRatio}, loose while the broker is busy and
 * tight again for the collection {@link IdleHeapShrink} asks for. Tight all the time (BrokerStarter's 10/30, chosen
 * for the idle RSS), a busy broker's old generation stayed within a few MiB of its live data and its young
 * generation small: under a loop of 1 MiB {@code list_peers} replies it did hundreds of full collections and never
 * grew towards its {@code -Xmx}. Both flags are manageable: the ratios the JVM started with are the idle ones, kept
 * until a check finds the process busy; then {@link #LOOSE_MIN}/{@link #LOOSE_MAX} (HotSpot's defaults) let the
 * next full collections grow the heap, and the idle collection puts the start-up ratios back before it runs, so
 * it gives the free part back as before.
 */
final class HeapFreeRatios {
    private static final Logger LOG = LoggerFactory.getLogger(HeapFreeRatios.class);
    static final String MIN = "MinHeapFreeRatio";
    static final String MAX = "MaxHeapFreeRatio";
    /** The busy ratios, never tighter than the start-up ones. */
    static final int LOOSE_MIN = 40;

    static final int LOOSE_MAX = 70;

    private static final int UNREAD = -2;

    private final Function<String, String> get;
    private final BiConsumer<String, String> set;
    /** The start-up (idle) ratios: read at the first busy spell; -1 when unreadable (nothing is set then). */
    private int idleMin = UNREAD;

    private int idleMax = UNREAD;
    private boolean loose;
    private boolean warned;

    /**
     * @param get a VM flag's value now
     * @param set sets a manageable VM flag (throws as HotSpot does when the value is refused)
     */
    HeapFreeRatios(Function<String, String> get, BiConsumer<String, String> set) {
        this.get = get;
        this.set = set;
    }

    /**
     * This JVM's flags, through its HotSpotDiagnosticMXBean: looked up at the first busy spell, so that a broker
     * that stays idle never loads the management classes.
     */
    static HeapFreeRatios forThisJvm() {
        return new HeapFreeRatios(
                name -> bean().getVMOption(name).getValue(), (name, value) -> bean().setVMOption(name, value));
    }

    private static HotSpotDiagnosticMXBean bean() {
        return ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
    }

    /** The process is busy: the heap may grow at its next full collections (once per busy spell). */
    void busy() {
        if (loose) {
            return;
        }
        if (idleMin == UNREAD) {
            readStartUpRatios();
        }
        if (idleMin < 0) {
            return;
        }
        loose = true;
        // HotSpot refuses a Min above the Max: raise the Max first.
        set(Math.max(idleMax, LOOSE_MAX), Math.max(idleMin, LOOSE_MIN), true);
    }

    /**
     * Runs the idle collection after a busy spell with the Max at the start-up Min, then puts the start-up Max
     * back (it stays until the next busy spell). A heap grown in the start-up Min's steps sat near that much free
     * (a 1,000-peer broker: 17 MiB committed after it); one grown with 40 % free shrank only to the start-up
     * Max's 30 % (23 MiB, 1.7 MiB more RSS), so the collection shrinks it right to the Min's.
     */
    void idleCollection(Runnable collect) {
        if (!loose) {
            collect.run();
            return;
        }
        loose = false;
        // ... and lower the Min first.
        set(idleMin, idleMin, false);
        try {
            collect.run();
        } finally {
            set(idleMax, idleMin, true);
        }
    }

    private void readStartUpRatios() {
        try {
            idleMin = Integer.parseInt(get.apply(MIN));
            idleMax = Integer.parseInt(get.apply(MAX));
        } catch (RuntimeException unreadable) {
            warnOnce(unreadable);
            idleMin = -1;
        }
    }

    private void set(int max, int min, boolean maxFirst) {
        try {
            if (maxFirst) {
                set.accept(MAX, Integer.toString(max));
                set.accept(MIN, Integer.toString(min));
            } else {
                set.accept(MIN, Integer.toString(min));
                set.accept(MAX, Integer.toString(max));
            }
        } catch (RuntimeException refused) {
            warnOnce(refused);
        }
    }

    private void warnOnce(RuntimeException cause) {
        if (!warned) {
            warned = true;
            LOG.warn(
                    "the heap's free ratios cannot be set at run time; a busy broker keeps its start-up ones: {}",
                    cause.toString());
        }
    }
}
