package io.agentpeers.bench;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/** Durations in nanoseconds, summarised as nearest-rank percentiles in milliseconds. Not thread-safe. */
final class Samples {
    private long[] values = new long[1024];
    private int size;

    void add(long nanos) {
        if (size == values.length) {
            values = Arrays.copyOf(values, size * 2);
        }
        values[size++] = nanos;
    }

    void addAll(Samples other) {
        for (int i = 0; i < other.size; i++) {
            add(other.values[i]);
        }
    }

    int size() {
        return size;
    }

    /** The p-th percentile (0 to 100) in milliseconds, nearest rank; NaN when empty. */
    double percentileMillis(double p) {
        if (size == 0) {
            return Double.NaN;
        }
        long[] sorted = Arrays.copyOf(values, size);
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(p / 100.0 * size);
        return sorted[Math.max(0, Math.min(size - 1, rank - 1))] / 1e6;
    }

    double maxMillis() {
        return percentileMillis(100);
    }

    /** How many samples exceed {@code millis}. */
    long countAbove(double millis) {
        long limit = (long) (millis * 1e6);
        long count = 0;
        for (int i = 0; i < size; i++) {
            if (values[i] > limit) {
                count++;
            }
        }
        return count;
    }

    /** n, p50, p90, p99, max: the usual summary. */
    Map<String, Object> summary() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("n", size);
        out.put("p50", round(percentileMillis(50)));
        out.put("p90", round(percentileMillis(90)));
        out.put("p99", round(percentileMillis(99)));
        out.put("max", round(maxMillis()));
        return out;
    }

    static double round(double value) {
        if (Double.isNaN(value)) {
            return value;
        }
        return Math.round(value * 1000.0) / 1000.0;
    }
}
