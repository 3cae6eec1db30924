package io.agentpeers.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.agentpeers.cli.CliContext;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The app's whole command line in this JVM (the CLI's commands and {@code broker run}, {@code demo},
 * {@code mcp}), and the broker process's own: every command answers {@code --help} and {@code -h}.
 */
class AppCommandLineTest {
    @TempDir
    Path home;

    record Result(int exit, String out, String err) {}

    private Result run(Function<CliContext, CommandLine> line, List<String> args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        CliContext context = new CliContext(
                Map.of("HOME", home.toString(), "PEERS_HOME", home.resolve("p").toString()),
                home,
                home,
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8),
                InputStream.nullInputStream(),
                Main.class.getName());
        int exit = line.apply(context).execute(args.toArray(String[]::new));
        return new Result(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static void walk(CommandLine line, List<String> path, List<List<String>> paths) {
        paths.add(List.copyOf(path));
        for (CommandLine sub : new LinkedHashSet<>(line.getSubcommands().values())) {
            List<String> deeper = new ArrayList<>(path);
            deeper.add(sub.getCommandName());
            walk(sub, deeper, paths);
        }
    }

    private List<List<String>> paths(Function<CliContext, CommandLine> line) {
        List<List<String>> paths = new ArrayList<>();
        walk(line.apply(CliContext.system(Main.class.getName())), new ArrayList<>(), paths);
        return paths;
    }

    @Test
    void everyCommandOfBothLinesAnswersHelpWithItsOwnUsage() {
        List<List<String>> all = paths(Main::commandLine);
        assertTrue(all.containsAll(List.of(List.of("broker", "run"), List.of("demo"), List.of("mcp"))), all::toString);
        List<List<String>> brokerProcess = paths(Main::brokerProcess);
        assertTrue(brokerProcess.contains(List.of("broker", "run")), brokerProcess::toString);
        for (var line : List.<Function<CliContext, CommandLine>>of(Main::commandLine, Main::brokerProcess)) {
            for (List<String> path : paths(line)) {
                for (String help : List.of("--help", "-h")) {
                    List<String> args = new ArrayList<>(path);
                    args.add(help);
                    Result result = run(line, args);
                    assertEquals(0, result.exit(), args + ": " + result);
                    String usage = "Usage: peers" + (path.isEmpty() ? "" : " " + String.join(" ", path)) + " ";
                    assertTrue(result.out().startsWith(usage), args + ": " + result);
                }
            }
        }
    }

    @Test
    void aNamedCommandGetsALineWithThatCommandAloneThatAnswersAsTheWholeLineDoes() {
        for (String name : Main.topLevelCommands().keySet()) {
            List<String> args = List.of(name, "--help");
            CommandLine lazy = Main.commandLine(CliContext.system(Main.class.getName()), args.toArray(String[]::new));
            if (name.equals("help")) {
                assertTrue(lazy.getSubcommands().size() > 5, "help needs every command: " + lazy.getSubcommands());
            } else {
                assertEquals(1, new LinkedHashSet<>(lazy.getSubcommands().values()).size(), name);
            }
            Result whole = run(Main::commandLine, args);
            Result one = run(context -> Main.commandLine(context, args.toArray(String[]::new)), args);
            assertEquals(whole, one, name);
        }
        List<String> brokerRun = List.of("--home", home.toString(), "broker", "run", "--help");
        assertEquals(run(Main::commandLine, brokerRun), run(c -> Main.commandLine(c, array(brokerRun)), brokerRun));
    }

    @Test
    void noCommandAnUnknownOneOrHelpFirstGetEveryCommand() {
        for (List<String> args :
                List.<List<String>>of(List.of(), List.of("nope"), List.of("--help", "status"), List.of("--json"))) {
            Result whole = run(Main::commandLine, args);
            Result lazy = run(context -> Main.commandLine(context, array(args)), args);
            assertEquals(whole, lazy, args.toString());
        }
        Result version = run(context -> Main.commandLine(context, array(List.of("--version"))), List.of("--version"));
        assertEquals(0, version.exit(), version.toString());
        assertTrue(version.out().startsWith("peers "), version.toString());
        assertEquals(run(Main::commandLine, List.of("--version")), version);
    }

    private static String[] array(List<String> args) {
        return args.toArray(String[]::new);
    }

    @Test
    void anUnknownMcpClientTypeIsAUsageError() {
        Result result = run(Main::commandLine, List.of("mcp", "--client-type", "bogus"));
        assertEquals(2, result.exit(), result.toString());
        assertTrue(result.err().contains("unknown client type 'bogus'"), result.toString());
        assertTrue(result.err().contains("Usage: peers mcp"), result.toString());
    }

    @Test
    void brokerRunWithJsonPrintsItsBannerAsJson() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        CliContext context = new CliContext(
                Map.of("HOME", home.toString(), "PEERS_HOME", home.resolve("p").toString(), "PEERS_SWEEP_MS", "100"),
                home,
                home,
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                InputStream.nullInputStream(),
                Main.class.getName());

        // Nothing connects, so the broker stops after its idle second.
        int exit = Main.brokerProcess(context).execute("broker", "run", "--json", "--idle-timeout", "1");

        String text = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, exit, text);
        JsonNode banner = new ObjectMapper().readTree(text);
        assertEquals(ProcessHandle.current().pid(), banner.path("pid").asLong(), text);
        assertEquals(
                home.resolve("p/peers.db").toString(), banner.path("database").asText(), text);
        assertTrue(banner.path("listeners").get(0).asText().contains("peers.sock"), text);
    }
}
