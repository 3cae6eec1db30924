package io.agentpeers.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The composition root as a process: every CLI command plus {@code mcp}, whose stdout carries nothing but the protocol. */
@Tag("process")
@ExtendWith(EndsStrayBrokers.class)
class MainProcessTest {
    @TempDir
    Path home;

    private record Result(int exit, String out, String err) {}

    private Result run(String stdin, String... args) throws Exception {
        List<String> command = AppJvm.command(List.of());
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().clear();
        builder.environment()
                .putAll(Map.of(
                        "HOME", home.toString(), "PEERS_HOME", home.resolve("p").toString(), "PATH", home.toString()));
        if (stdin == null) {
            builder.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        }
        Process process = builder.start();
        try {
            if (stdin != null) {
                process.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
                process.getOutputStream().close();
            }
            var out = java.util.concurrent.CompletableFuture.supplyAsync(() -> readAll(process.getInputStream()));
            var err = java.util.concurrent.CompletableFuture.supplyAsync(() -> readAll(process.getErrorStream()));
            assertTrue(process.waitFor(60, TimeUnit.SECONDS), "the app finished");
            return new Result(process.exitValue(), out.get(), err.get());
        } finally {
            process.destroyForcibly();
        }
    }

    private static String readAll(java.io.InputStream stream) {
        try {
            return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            return "";
        }
    }

    @Test
    void theAppRunsTheCliAndKnowsTheMcpCommand() throws Exception {
        Result version = run(null, "--version");
        assertEquals(0, version.exit(), version.err());
        assertTrue(version.out().startsWith("peers " + io.agentpeers.protocol.PeersVersion.VERSION), version.out());

        Result help = run(null, "--help");
        assertTrue(help.out().contains("mcp") && help.out().contains("broker"), help.out());

        Result status = run(null, "status");
        assertEquals(3, status.exit(), status.err());

        // The MCP server answers initialize on stdout, with nothing else there, and exits when stdin closes.
        String initialize = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":"
                + "{\"protocolVersion\":\"2025-06-18\",\"capabilities\":{},\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}\n";
        try {
            List<String> lines = mcpSession(initialize);
            assertTrue(
                    lines.stream().anyMatch(l -> l.contains("\"id\":1") && l.contains("\"serverInfo\"")),
                    String.join("\n", lines));
            for (String line : lines) {
                assertTrue(line.startsWith("{") && line.contains("\"jsonrpc\""), "stdout is the protocol: " + line);
            }
        } finally {
            stopAnyBroker();
        }
        assertEquals(2, run(null, "mcp", "--client-type").exit(), "a usage error");
    }

    /** Runs {@code peers mcp}, sends {@code request}, keeps stdin open until the answer came, then closes it. */
    private List<String> mcpSession(String request) throws Exception {
        List<String> command = AppJvm.command(List.of());
        command.addAll(List.of("mcp", "--client-type", "codex"));
        ProcessBuilder builder = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD);
        builder.environment().put("HOME", home.toString());
        builder.environment().put("PEERS_HOME", home.resolve("p").toString());
        Process process = builder.start();
        try {
            process.getOutputStream().write(request.getBytes(StandardCharsets.UTF_8));
            process.getOutputStream().flush();
            var reader = new java.io.BufferedReader(
                    new java.io.InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            var first = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try {
                    return reader.readLine();
                } catch (java.io.IOException e) {
                    return null;
                }
            });
            List<String> lines = new ArrayList<>();
            lines.add(first.get(60, TimeUnit.SECONDS));
            process.getOutputStream().close();
            assertTrue(process.waitFor(30, TimeUnit.SECONDS), "the server exits when stdin closes");
            assertEquals(0, process.exitValue());
            reader.lines().forEach(lines::add);
            return lines;
        } finally {
            process.destroyForcibly();
        }
    }

    /** The MCP server may have started a broker in the background: end it by the pid in its lock file. */
    private void stopAnyBroker() throws Exception {
        run(null, "broker", "stop");
        Path lock = home.resolve("p").resolve("broker.lock");
        if (java.nio.file.Files.exists(lock)) {
            String pid = java.nio.file.Files.readString(lock).trim();
            if (!pid.isEmpty()) {
                ProcessHandle.of(Long.parseLong(pid)).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
    }
}
