package io.agentpeers.dashboard;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.time.Duration;
import java.time.Instant;

/**
 * Messages a bucket and their push latency (from the broker accepting a message to the push thread
 * handing it on, the same thread that pushed it to its recipient just before), over the last minutes, for
 * the page's chart. Only counted while the dashboard serves: a broker without one keeps nothing.
 */
final class Throughput {
    static final Duration BUCKET = Duration.ofSeconds(10);
    static final int BUCKETS = 60;

    private final long[] counts = new long[BUCKETS];
    private final long[] latencySumMicros = new long[BUCKETS];
    private final long[] latencyMaxMicros = new long[BUCKETS];
    private final long[] bucketOf = new long[BUCKETS];

    synchronized void sent(Instant sentAt, Instant now) {
        long bucket = now.toEpochMilli() / BUCKET.toMillis();
        int slot = (int) (bucket % BUCKETS);
        if (bucketOf[slot] != bucket) {
            bucketOf[slot] = bucket;
            counts[slot] = 0;
            latencySumMicros[slot] = 0;
            latencyMaxMicros[slot] = 0;
        }
        long micros = Math.max(0, Duration.between(sentAt, now).toNanos() / 1_000);
        counts[slot]++;
        latencySumMicros[slot] += micros;
        latencyMaxMicros[slot] = Math.max(latencyMaxMicros[slot], micros);
    }

    /** Oldest first: {@code [{"at":..., "messages":n, "avg_latency_ms":x, "max_latency_ms":y}, ...]}. */
    synchronized ArrayNode series(Instant now) {
        ArrayNode series = JsonNodeFactory.instance.arrayNode();
        long current = now.toEpochMilli() / BUCKET.toMillis();
        for (long bucket = current - BUCKETS + 1; bucket <= current; bucket++) {
            int slot = (int) (bucket % BUCKETS);
            boolean kept = bucketOf[slot] == bucket;
            long count = kept ? counts[slot] : 0;
            series.addObject()
                    .put("at", Instant.ofEpochMilli(bucket * BUCKET.toMillis()).toString())
                    .put("messages", count)
                    .put("avg_latency_ms", count == 0 ? 0.0 : latencySumMicros[slot] / (double) count / 1_000.0)
                    .put("max_latency_ms", kept ? latencyMaxMicros[slot] / 1_000.0 : 0.0);
        }
        return series;
    }
}
