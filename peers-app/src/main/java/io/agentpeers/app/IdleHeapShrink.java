package io.agentpeers.app;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * Gives a broker's heap back once a busy spell is over. The serial collector grows the heap under load and
 * gives it back only after a full collection, which a broker that goes quiet never reaches: after 100,000
 * messages were drained its heap stayed at 28 MiB committed, most of it garbage in the old generation. So when
 * the process has used almost no CPU for {@link #QUIET_CHECKS} checks in a row, and its heap (committed or in
 * use) is {@link #WORTH_BYTES} larger than what the last full collection left (or there was none yet), this asks
 * for one ({@code System.gc()}, a few milliseconds on a heap this size); with {@code -XX:MaxHeapFreeRatio} and
 * {@code -XX:-ShrinkHeapInSteps} (BrokerStarter's JVM options) the collector then gives the free part back to
 * the system at once. A check that finds the process busy loosens those ratios ({@link HeapFreeRatios}) so that
 * the heap can grow while the spell lasts; the collection tightens them again. A busy broker is never interrupted by it, and a quiet one collects again only after its
 * heap grew again.
 */
final class IdleHeapShrink {
    /** How often the broker's main thread looks. */
    static final Duration CHECK_EVERY = Duration.ofSeconds(5);
    /**
     * Below this share of one CPU over a check, the process counts as quiet: a broker with 1,000 idle peers used
     * 0.2-6 % (its sweeps), one serving a single sender over 30 %.
     */
    static final double QUIET_CPU_SHARE = 0.10;
    /** Quiet checks in a row before a collection: a pause in a busy spell is not its end. */
    static final int QUIET_CHECKS = 2;
    /** Growth of the committed heap since the last full collection worth one. */
    static final long WORTH_BYTES = 4L << 20;

    private final LongSupplier cpuNanos;
    private final LongSupplier committedBytes;
    private final LongSupplier usedBytes;
    private final Runnable busy;
    private final Runnable collect;
    private long lastCpu;
    private long lastAt;
    private int quiet;
    /** Committed and used heap after the last collection; none yet: any heap is worth one. */
    private long committedAfter = Long.MIN_VALUE / 2;

    private long usedAfter = Long.MIN_VALUE / 2;

    /**
     * @param cpuNanos       the process's CPU time so far
     * @param committedBytes the heap's committed size now
     * @param usedBytes      the heap in use now (live and garbage)
     * @param busy           told at each check that finds the process busy
     * @param collect        a full collection
     */
    IdleHeapShrink(
            LongSupplier cpuNanos,
            LongSupplier committedBytes,
            LongSupplier usedBytes,
            Runnable busy,
            Runnable collect,
            long nowNanos) {
        this.cpuNanos = cpuNanos;
        this.committedBytes = committedBytes;
        this.usedBytes = usedBytes;
        this.busy = busy;
        this.collect = collect;
        this.lastCpu = cpuNanos.getAsLong();
        this.lastAt = nowNanos;
    }

    /**
     * This JVM's: its CPU time from /proc (through ProcessHandle), its heap, the free ratios of {@link
     * HeapFreeRatios} (loose while busy, the start-up ones for) {@code System.gc()}.
     */
    static IdleHeapShrink forThisProcess() {
        Runtime runtime = Runtime.getRuntime();
        HeapFreeRatios ratios = HeapFreeRatios.forThisJvm();
        return new IdleHeapShrink(
                () -> ProcessHandle.current()
                        .info()
                        .totalCpuDuration()
                        .map(Duration::toNanos)
                        .orElse(0L),
                runtime::totalMemory,
                () -> runtime.totalMemory() - runtime.freeMemory(),
                ratios::busy,
                () -> ratios.idleCollection(System::gc),
                System.nanoTime());
    }

    /**
     * One look, at {@code nowNanos}.
     *
     * @return whether it collected
     */
    boolean check(long nowNanos) {
        long cpu = cpuNanos.getAsLong();
        long elapsed = Math.max(1, nowNanos - lastAt);
        boolean quietNow = (cpu - lastCpu) < QUIET_CPU_SHARE * elapsed;
        lastCpu = cpu;
        lastAt = nowNanos;
        quiet = quietNow ? quiet + 1 : 0;
        if (!quietNow) {
            busy.run();
        }
        boolean grown = committedBytes.getAsLong() >= committedAfter + WORTH_BYTES
                || usedBytes.getAsLong() >= usedAfter + WORTH_BYTES;
        if (quiet < QUIET_CHECKS || !grown) {
            return false;
        }
        collect.run();
        // The collection's own CPU must not count against the next look.
        lastCpu = cpuNanos.getAsLong();
        committedAfter = committedBytes.getAsLong();
        usedAfter = usedBytes.getAsLong();
        quiet = 0;
        return true;
    }
}
