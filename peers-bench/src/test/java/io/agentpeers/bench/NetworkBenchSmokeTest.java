package io.agentpeers.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.agentpeers.testkit.PostgresCluster;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --only network} on tiny numbers, so that it does not rot: a throwaway PostgreSQL cluster, one SQLite
 * broker and three brokers on PostgreSQL, every network row with its ratio to the SQLite one, and nothing left
 * running. No timing assertions. Tagged slow and postgres: {@code -Pslow -Ppostgres}.
 */
@Tag("slow")
@Tag("postgres")
class NetworkBenchSmokeTest {

    @Test
    void aTinyNetworkRunMeasuresEveryRowBesideTheSqliteBrokerAndEndsItsProcesses(@TempDir Path dir) throws Exception {
        String why = PostgresCluster.whyUnavailable().orElse(null);
        assumeTrue(why == null, () -> "no PostgreSQL to start: " + why);
        BenchOptions options = BenchOptions.parse(new String[] {"--smoke", "--only", "network"})
                .withRoot(null)
                .withJson(dir.resolve("result.json"));
        ByteArrayOutputStream progress = new ByteArrayOutputStream();

        Report report = new PeersBench(options, new PrintStream(progress, true, StandardCharsets.UTF_8), dir).run();

        List<Report.Row> rows = report.rows();
        String shown = progress.toString(StandardCharsets.UTF_8) + "\n" + report.table();
        assertTrue(rows.stream().noneMatch(r -> r.section().equals("errors")), shown);
        assertEquals(3, count(rows, NetworkBench.PUSH), shown);
        assertEquals(3, count(rows, NetworkBench.LIST), shown);
        assertEquals(2, count(rows, NetworkBench.SENDS), shown);
        assertEquals(1, count(rows, NetworkBench.NOTIFY), shown);
        for (Report.Row row : rows) {
            if (row.label().startsWith("PostgreSQL") && !row.section().equals(NetworkBench.NOTIFY)) {
                assertTrue(
                        row.values().keySet().stream().anyMatch(k -> k.startsWith("x_sqlite")),
                        () -> "no ratio to the SQLite broker: " + row);
            }
        }
        Report.Row network = rows.stream()
                .filter(r -> r.section().equals(NetworkBench.LIST) && r.label().endsWith("network"))
                .findFirst()
                .orElseThrow();
        assertTrue(
                (Integer) network.values().get("listed") >= 3 * (options.scalePeers() - 3),
                () -> "scope network lists the peers of all three brokers: " + network);

        JsonNode meta =
                new ObjectMapper().readTree(dir.resolve("result.json").toFile()).get("meta");
        List<Long> pids = new ArrayList<>();
        pids.add(meta.get("network_sqlite_broker_pid").asLong());
        for (String pid : meta.get("network_broker_pids")
                .asText()
                .replaceAll("[\\[\\] ]", "")
                .split(",")) {
            pids.add(Long.parseLong(pid));
        }
        assertEquals(4, pids.size());
        for (long pid : pids) {
            assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "broker " + pid + " runs");
        }
        try (var left = Files.list(dir)) {
            assertTrue(
                    left.noneMatch(p -> p.getFileName().toString().startsWith("peers-bench-")),
                    "a broker's temporary home was not deleted");
        }
    }

    private static long count(List<Report.Row> rows, String section) {
        return rows.stream().filter(r -> r.section().equals(section)).count();
    }
}
