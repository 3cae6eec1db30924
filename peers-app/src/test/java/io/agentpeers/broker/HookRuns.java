package io.agentpeers.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** Runs an agent hook's command as Claude Code does, for the hook process tests. */
final class HookRuns {
    private HookRuns() {}

    /** {@code sh -c command}, {@code input} on stdin; returns stdout, stripped; asserts it ended with exit 0. */
    static String run(String command, String input) throws IOException, InterruptedException {
        Process process = new ProcessBuilder("sh", "-c", command)
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        try {
            try (OutputStream stdin = process.getOutputStream()) {
                stdin.write(input.getBytes(StandardCharsets.UTF_8));
            }
            byte[] out = process.getInputStream().readAllBytes();
            assertTrue(process.waitFor(5, TimeUnit.SECONDS), "the hook did not end");
            assertEquals(0, process.exitValue(), "a hook always exits 0");
            return new String(out, StandardCharsets.UTF_8).strip();
        } finally {
            process.destroyForcibly();
        }
    }

    /** The executable {@code name} on PATH, or null. */
    static Path onPath(String name) {
        for (String folder : System.getenv().getOrDefault("PATH", "").split(":")) {
            Path candidate = folder.isEmpty() ? null : Path.of(folder, name);
            if (candidate != null && Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return null;
    }
}
