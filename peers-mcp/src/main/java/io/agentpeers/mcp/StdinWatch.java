package io.agentpeers.mcp;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The server's stdin, watched on its way to the SDK: it tells when the client sent
 * {@code notifications/initialized} (the SDK offers no hook for it, and pushes must wait for it) and
 * when stdin ends (the agent is gone or closed us). The bytes pass unchanged.
 */
final class StdinWatch extends FilterInputStream {
    private static final byte[] MARK = "\"notifications/initialized\"".getBytes(StandardCharsets.US_ASCII);
    private static final int[] FAILURE = failureTable(MARK);

    private final Runnable onInitialized;
    private final Runnable onEnd;
    private final AtomicBoolean initialized = new AtomicBoolean();
    private final AtomicBoolean ended = new AtomicBoolean();
    private int matched; // only the SDK's single reader thread reads

    StdinWatch(InputStream in, Runnable onInitialized, Runnable onEnd) {
        super(in);
        this.onInitialized = onInitialized;
        this.onEnd = onEnd;
    }

    @Override
    public int read() throws IOException {
        int b;
        try {
            b = super.read();
        } catch (IOException e) {
            end();
            throw e;
        }
        if (b < 0) {
            end();
        } else {
            scan((byte) b);
        }
        return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        int n;
        try {
            n = super.read(buffer, offset, length);
        } catch (IOException e) {
            end();
            throw e;
        }
        if (n < 0) {
            end();
        } else if (!initialized.get()) {
            for (int i = 0; i < n; i++) {
                scan(buffer[offset + i]);
            }
        }
        return n;
    }

    private void scan(byte b) {
        if (initialized.get()) {
            return;
        }
        while (matched > 0 && MARK[matched] != b) {
            matched = FAILURE[matched - 1];
        }
        if (MARK[matched] == b) {
            matched++;
        }
        if (matched == MARK.length && initialized.compareAndSet(false, true)) {
            onInitialized.run();
        }
    }

    private void end() {
        if (ended.compareAndSet(false, true)) {
            onEnd.run();
        }
    }

    /** Knuth-Morris-Pratt: the length of the longest proper prefix that is also a suffix, per prefix. */
    private static int[] failureTable(byte[] pattern) {
        int[] table = new int[pattern.length];
        int k = 0;
        for (int i = 1; i < pattern.length; i++) {
            while (k > 0 && pattern[k] != pattern[i]) {
                k = table[k - 1];
            }
            if (pattern[k] == pattern[i]) {
                k++;
            }
            table[i] = k;
        }
        return table;
    }
}
