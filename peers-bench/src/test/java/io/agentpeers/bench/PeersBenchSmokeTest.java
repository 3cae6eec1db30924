package io.agentpeers.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the whole harness on tiny numbers, so that it does not rot. No timing assertions. Tagged slow (about 13 s
 * of the quick loop's two cores): it runs in {@code -Pslow}, which README's test command includes.
 */
@Tag("slow")
class PeersBenchSmokeTest {

    @Test
    void aTinyRunMeasuresEverySectionAndEndsItsBroker(@TempDir Path dir) throws Exception {
        BenchOptions options = BenchOptions.smoke().withRoot(null).withJson(dir.resolve("result.json"));
        ByteArrayOutputStream progress = new ByteArrayOutputStream();

        Report report = new PeersBench(options, new PrintStream(progress, true, StandardCharsets.UTF_8), dir).run();

        List<Report.Row> rows = report.rows();
        List<Report.Row> errors =
                rows.stream().filter(r -> r.section().equals("errors")).toList();
        assertTrue(errors.isEmpty(), () -> "errors: " + errors + "\n" + progress.toString(StandardCharsets.UTF_8));
        Set<String> sections = rows.stream().map(Report.Row::section).collect(Collectors.toSet());
        for (String prefix : List.of(
                "push latency",
                "list_peers",
                "pending",
                "durable send throughput",
                "responsiveness",
                "broker resident memory",
                "MCP round trip",
                "cold start",
                "restart",
                "per request")) {
            assertTrue(
                    sections.stream().anyMatch(s -> s.startsWith(prefix)), () -> prefix + " missing from " + sections);
        }
        // 2 peer levels x 2 transports, and the history case per transport
        assertEquals(
                6,
                rows.stream()
                        .filter(r -> r.section().startsWith("push latency"))
                        .count());
        assertTrue(rows.stream()
                .filter(r -> r.section().startsWith("push latency"))
                .allMatch(r -> ((Integer) r.values().get("n")) == options.messages() * options.rounds()));
        // every peer of the restart resumed and was served, none refused
        Report.Row served = rows.stream()
                .filter(r ->
                        r.section().equals(RestartStorm.SECTION) && r.label().endsWith("first pending answered"))
                .findFirst()
                .orElseThrow();
        assertEquals(0, served.values().get("not_served"), served::toString);
        assertEquals(0, served.values().get("failed"), served::toString);
        // without a repository, the MCP and cold-start rows say why they are missing
        assertTrue(rows.stream()
                .filter(r -> r.section().startsWith("cold start"))
                .allMatch(r -> String.valueOf(r.values().get("result")).startsWith("not available: ")));

        JsonNode json = new ObjectMapper().readTree(dir.resolve("result.json").toFile());
        assertEquals(rows.size(), json.get("results").size());
        long brokerPid = json.get("meta").get("broker_pid").asLong();
        assertFalse(ProcessHandle.of(brokerPid).map(ProcessHandle::isAlive).orElse(false), "the broker still runs");
        try (var left = Files.list(dir)) {
            assertTrue(
                    left.noneMatch(p -> p.getFileName().toString().startsWith("peers-bench-")),
                    "the broker's temporary home was not deleted");
        }
        assertTrue(report.table().contains("== push latency"));
    }
}
