package io.agentpeers.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Every command of the tree, walked as picocli builds it, answers {@code --help}, {@code -h} and {@code help}. */
class CommandTreeHelpTest {
    @TempDir
    Path home;

    /** Each command's path below {@code peers}, the root's empty one first. */
    static List<List<String>> paths(CommandLine line) {
        List<List<String>> paths = new ArrayList<>();
        walk(line, new ArrayList<>(), paths);
        return paths;
    }

    private static void walk(CommandLine line, List<String> path, List<List<String>> paths) {
        paths.add(List.copyOf(path));
        for (CommandLine sub :
                new java.util.LinkedHashSet<>(line.getSubcommands().values())) {
            List<String> deeper = new ArrayList<>(path);
            deeper.add(sub.getCommandName());
            walk(sub, deeper, paths);
        }
    }

    @Test
    void everyCommandAnswersHelpWithItsOwnUsage() {
        PrintStream nowhere = new PrintStream(OutputStream.nullOutputStream());
        CliContext context = new CliContext(
                Map.of(), home, home, nowhere, nowhere, new ByteArrayInputStream(new byte[0]), InProcessCli.MAIN_CLASS);
        List<List<String>> paths = paths(PeersCli.commandLine(context));
        assertTrue(paths.contains(List.of("broker", "status")) && paths.size() > 15, paths::toString);

        InProcessCli cli = new InProcessCli(home, home.resolve("p"));
        for (List<String> path : paths) {
            String usage = "Usage: " + String.join(" ", prepend("peers", path)) + " ";
            InProcessCli.Result longForm = cli.run(append(path, "--help"));
            assertEquals(0, longForm.exit(), path + ": " + longForm);
            assertTrue(longForm.out().startsWith(usage), path + ": " + longForm);
            assertEquals("", longForm.err(), path + ": " + longForm);
            InProcessCli.Result shortForm = cli.run(append(path, "-h"));
            assertEquals(0, shortForm.exit(), path + ": " + shortForm);
            assertEquals(longForm.out(), shortForm.out(), path + ": -h");
            InProcessCli.Result helpCommand = cli.run(prepend("help", path).toArray(String[]::new));
            assertEquals(0, helpCommand.exit(), path + ": " + helpCommand);
            assertEquals(longForm.out(), helpCommand.out(), "peers help " + path);
        }
    }

    @Test
    void helpOfAnUnknownCommandIsAUsageError() {
        InProcessCli.Result result = new InProcessCli(home, home.resolve("p")).run("help", "broker", "bogus");
        assertEquals(2, result.exit(), result::toString);
        assertTrue(result.err().contains("`peers broker` has no command 'bogus'"), result::toString);
    }

    private static String[] append(List<String> path, String last) {
        List<String> args = new ArrayList<>(path);
        args.add(last);
        return args.toArray(String[]::new);
    }

    private static List<String> prepend(String first, List<String> path) {
        List<String> args = new ArrayList<>();
        args.add(first);
        args.addAll(path);
        return args;
    }
}
