package io.agentpeers.app;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Loose free ratios while the broker is busy, the start-up ones for its idle collection and after it. */
class HeapFreeRatiosTest {
    private final Map<String, Integer> flags = new HashMap<>(Map.of(HeapFreeRatios.MIN, 10, HeapFreeRatios.MAX, 30));
    private final List<String> seenDuringCollection = new ArrayList<>();
    private int sets;

    /** As HotSpot: a Max below the Min (or a Min over the Max) is refused. */
    private final HeapFreeRatios ratios = new HeapFreeRatios(name -> Integer.toString(flags.get(name)), (name, v) -> {
        int value = Integer.parseInt(v);
        boolean refused = name.equals(HeapFreeRatios.MIN)
                ? value > flags.get(HeapFreeRatios.MAX)
                : value < flags.get(HeapFreeRatios.MIN);
        if (refused) {
            throw new IllegalArgumentException(name + "=" + v + " refused");
        }
        sets++;
        flags.put(name, value);
    });

    private String now() {
        return flags.get(HeapFreeRatios.MIN) + "/" + flags.get(HeapFreeRatios.MAX);
    }

    @Test
    void aBusySpellLoosensTheRatiosAndTheIdleCollectionRunsWithTheStartUpOnes() {
        ratios.busy();
        assertEquals("40/70", now());
        ratios.busy(); // the same spell: nothing more to set
        assertEquals(2, sets);
        ratios.idleCollection(() -> seenDuringCollection.add(now()));
        assertEquals(List.of("10/10"), seenDuringCollection, "the grown heap shrinks right to the Min's free share");
        assertEquals("10/30", now(), "the start-up ones until the next busy spell");
        ratios.busy();
        assertEquals("40/70", now(), "the next spell loosens them again");
    }

    @Test
    void anIdleCollectionWithoutABusySpellSetsNothing() {
        ratios.idleCollection(() -> seenDuringCollection.add(now()));
        assertEquals(List.of("10/30"), seenDuringCollection);
        assertEquals(0, sets);
    }

    @Test
    void neverTightensRatiosThatStartedLooser() {
        flags.put(HeapFreeRatios.MAX, 90);
        flags.put(HeapFreeRatios.MIN, 50);
        ratios.busy();
        assertEquals("50/90", now());
        ratios.idleCollection(() -> seenDuringCollection.add(now()));
        assertEquals(List.of("50/50"), seenDuringCollection);
        assertEquals("50/90", now());
    }

    @Test
    void stillCollectsWhenTheFlagsCannotBeSet() {
        HeapFreeRatios readOnly = new HeapFreeRatios(name -> "10", (name, value) -> {
            throw new IllegalArgumentException("not writeable");
        });
        int[] collections = {0};
        readOnly.busy();
        readOnly.idleCollection(() -> collections[0]++);
        assertEquals(1, collections[0]);
    }

    @Test
    void setsThisJvmsOwnFlagsAndPutsTheStartUpOnesBack() {
        HotSpotDiagnosticMXBean bean = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
        String min = flag(HeapFreeRatios.MIN);
        String max = flag(HeapFreeRatios.MAX);
        // As a broker starts (BrokerStarter's 10/30), whatever this test JVM was started with.
        bean.setVMOption(HeapFreeRatios.MIN, "10");
        bean.setVMOption(HeapFreeRatios.MAX, "30");
        try {
            HeapFreeRatios real = HeapFreeRatios.forThisJvm();
            real.busy();
            assertEquals("40/70", flag(HeapFreeRatios.MIN) + "/" + flag(HeapFreeRatios.MAX));
            real.idleCollection(
                    () -> seenDuringCollection.add(flag(HeapFreeRatios.MIN) + "/" + flag(HeapFreeRatios.MAX)));
            assertEquals(List.of("10/10"), seenDuringCollection);
            assertEquals("10/30", flag(HeapFreeRatios.MIN) + "/" + flag(HeapFreeRatios.MAX));
        } finally {
            bean.setVMOption(HeapFreeRatios.MAX, "100");
            bean.setVMOption(HeapFreeRatios.MIN, min);
            bean.setVMOption(HeapFreeRatios.MAX, max);
        }
    }

    private static String flag(String name) {
        return ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class)
                .getVMOption(name)
                .getValue();
    }
}
