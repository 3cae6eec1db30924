package io.agentpeers.mcp;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The server's stdout, watched: it tells when a line holding a given marker was written and flushed.
 * The SDK's send completes when a message is queued, not written; a pushed message is acknowledged to
 * the broker only once its notification is really out.
 *
 * <p>The SDK writes each message (bytes, newline, flush) holding this stream's monitor, on one thread.
 */
final class StdoutGate extends OutputStream {
    private final OutputStream out;
    private final Map<String, CountDownLatch> waiting = new ConcurrentHashMap<>();
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();
    private Runnable onFirstFlush;

    /** @param onFirstFlush runs once, after the first message (the answer to {@code initialize}) is out */
    StdoutGate(OutputStream out, Runnable onFirstFlush) {
        this.out = out;
        this.onFirstFlush = onFirstFlush;
    }

    /** Starts watching for a line that contains {@code marker}; call before the line can be written. */
    CountDownLatch expect(String marker) {
        CountDownLatch latch = new CountDownLatch(1);
        waiting.put(marker, latch);
        return latch;
    }

    /** Waits until the expected line was flushed; false on timeout. Stops watching either way. */
    boolean await(String marker, CountDownLatch latch, Duration timeout) throws InterruptedException {
        try {
            return latch.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } finally {
            waiting.remove(marker, latch);
        }
    }

    @Override
    public synchronized void write(int b) throws IOException {
        out.write(b);
        if (!waiting.isEmpty()) {
            line.write(b);
        }
    }

    @Override
    public synchronized void write(byte[] bytes, int offset, int length) throws IOException {
        out.write(bytes, offset, length);
        if (!waiting.isEmpty()) {
            line.write(bytes, offset, length);
        }
    }

    @Override
    public synchronized void flush() throws IOException {
        out.flush();
        if (onFirstFlush != null) {
            Runnable first = onFirstFlush;
            onFirstFlush = null;
            first.run();
        }
        if (line.size() == 0) {
            return;
        }
        String written = line.toString(StandardCharsets.UTF_8);
        line.reset();
        waiting.forEach((marker, latch) -> {
            if (written.contains(marker)) {
                latch.countDown();
            }
        });
    }

    @Override
    public synchronized void close() throws IOException {
        out.close();
    }
}
