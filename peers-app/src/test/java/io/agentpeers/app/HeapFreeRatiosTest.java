package io.agentpeers.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The idle collection runs with tight free ratios, and the loose ones are back after it, whatever happens. */
class HeapFreeRatiosTest {
    private final Map<String, Integer> flags = new HashMap<>(Map.of(HeapFreeRatios.MIN, 40, HeapFreeRatios.MAX, 70));
    private final List<String> seenDuringCollection = new ArrayList<>();

    /** As HotSpot: a Max below the Min (or a Min over the Max) is refused. */
    private final HeapFreeRatios ratios = new HeapFreeRatios(name -> Integer.toString(flags.get(name)), (name, v) -> {
        int value = Integer.parseInt(v);
        boolean refused = name.equals(HeapFreeRatios.MIN)
                ? value > flags.get(HeapFreeRatios.MAX)
                : value < flags.get(HeapFreeRatios.MIN);
        if (refused) {
            throw new IllegalArgumentException(name + "=" + v + " refused");
        }
        flags.put(name, value);
    });

    private void remember() {
        seenDuringCollection.add(flags.get(HeapFreeRatios.MIN) + "/" + flags.get(HeapFreeRatios.MAX));
    }

    @Test
    void tightensForTheCollectionOnlyInAnOrderHotSpotAccepts() {
        ratios.duringCollection(this::remember);
        assertEquals(List.of("10/30"), seenDuringCollection);
        assertEquals(Map.of(HeapFreeRatios.MIN, 40, HeapFreeRatios.MAX, 70), flags);
    }

    @Test
    void neverLoosensRatiosThatAreAlreadyTighter() {
        flags.put(HeapFreeRatios.MIN, 5);
        flags.put(HeapFreeRatios.MAX, 20);
        ratios.duringCollection(this::remember);
        assertEquals(List.of("5/20"), seenDuringCollection);
        assertEquals(Map.of(HeapFreeRatios.MIN, 5, HeapFreeRatios.MAX, 20), flags);
    }

    @Test
    void putsTheRatiosBackWhenTheCollectionFails() {
        assertThrows(
                IllegalStateException.class,
                () -> ratios.duringCollection(() -> {
                    remember();
                    throw new IllegalStateException("collection failed");
                }));
        assertEquals(List.of("10/30"), seenDuringCollection);
        assertEquals(Map.of(HeapFreeRatios.MIN, 40, HeapFreeRatios.MAX, 70), flags);
    }

    @Test
    void stillCollectsWhenTheFlagsCannotBeSet() {
        HeapFreeRatios readOnly = new HeapFreeRatios(name -> "40", (name, value) -> {
            throw new IllegalArgumentException("not writeable");
        });
        int[] collections = {0};
        readOnly.duringCollection(() -> collections[0]++);
        assertEquals(1, collections[0]);
    }

    @Test
    void setsThisJvmsOwnFlagsAndPutsThemBack() {
        HeapFreeRatios real = HeapFreeRatios.forThisJvm();
        String min = flag(HeapFreeRatios.MIN);
        String max = flag(HeapFreeRatios.MAX);
        List<String> during = new ArrayList<>();
        real.duringCollection(() -> during.add(flag(HeapFreeRatios.MIN) + "/" + flag(HeapFreeRatios.MAX)));
        int expectedMin = Math.min(Integer.parseInt(min), HeapFreeRatios.IDLE_MIN);
        int expectedMax = Math.min(Integer.parseInt(max), HeapFreeRatios.IDLE_MAX);
        assertEquals(List.of(expectedMin + "/" + expectedMax), during);
        assertEquals(min, flag(HeapFreeRatios.MIN));
        assertEquals(max, flag(HeapFreeRatios.MAX));
    }

    private static String flag(String name) {
        return java.lang.management.ManagementFactory.getPlatformMXBean(
                        com.sun.management.HotSpotDiagnosticMXBean.class)
                .getVMOption(name)
                .getValue();
    }
}
