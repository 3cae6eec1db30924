package io.agentpeers.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * One repo key for one repository, whichever face asks: the MCP server (for its agent, the parent)
 * and the CLI (for itself) both go through {@link CallerFacts}, and both agree with what git prints.
 */
@Timeout(60)
class CallerFactsTest {
    @TempDir
    Path dir;

    private Path main;
    private Path worktree;

    @BeforeEach
    void repositoryWithAWorktree() throws Exception {
        main = Files.createDirectories(dir.resolve("main"));
        git(main, "init", "-q");
        git(main, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "--allow-empty", "-m", "start");
        Files.createDirectories(main.resolve("src/deep"));
        worktree = dir.resolve("wt");
        git(main, "worktree", "add", "-q", worktree.toString());
        Files.createDirectories(worktree.resolve("lib"));
    }

    @Test
    void everyFolderOfOneRepositoryHasOneKeyThroughBothFaces() throws Exception {
        String key = main.toRealPath().resolve(".git").toString();
        for (Path folder : List.of(main, main.resolve("src/deep"), worktree, worktree.resolve("lib"))) {
            CallerFacts mcp = CallerFacts.of(
                    folder, ProcessHandle.current().parent().orElseThrow().pid());
            CallerFacts cli = CallerFacts.of(folder, null);
            assertEquals(key, mcp.repoKey(), folder.toString());
            assertEquals(mcp.repoKey(), cli.repoKey(), folder.toString());
            assertEquals(mcp.gitRoot(), cli.gitRoot(), folder.toString());
            assertEquals(folder.toString(), cli.cwd());
            assertEquals(gitSays(folder), List.of(cli.gitRoot(), cli.repoKey()), "as git prints it, in " + folder);
        }
        assertEquals(
                worktree.toRealPath().toString(),
                CallerFacts.of(worktree.resolve("lib"), null).gitRoot());
        assertEquals(
                main.toRealPath().toString(),
                CallerFacts.of(main.resolve("src/deep"), null).gitRoot());
    }

    @Test
    void aPlainFolderHasNoRepository() throws Exception {
        Path plain = Files.createDirectories(dir.resolve("plain/inner"));
        for (Long agent :
                new Long[] {null, ProcessHandle.current().parent().orElseThrow().pid()}) {
            CallerFacts facts = CallerFacts.of(plain, agent);
            assertNull(facts.gitRoot());
            assertNull(facts.repoKey());
            assertEquals(agent, facts.agentPid());
        }
        assertEquals(List.of(), gitSays(plain), "git agrees");
    }

    @Test
    void aFolderReachedThroughASymbolicLinkHasTheSameKey() throws Exception {
        Path link = Files.createSymbolicLink(dir.resolve("link"), worktree);
        assertEquals(WorkingFolder.of(worktree), WorkingFolder.of(link.resolve("lib")));
        assertEquals(
                main.toRealPath().resolve(".git").toString(),
                WorkingFolder.of(link).orElseThrow().repoKey());
    }

    @Test
    void aGitFileThatPointsNowhereGitKnowsIsNoRepository() throws Exception {
        Path odd = Files.createDirectories(dir.resolve("odd"));
        Files.writeString(odd.resolve(".git"), "not a pointer\n");
        assertEquals(Optional.empty(), WorkingFolder.of(odd));
    }

    /** {gitRoot, repoKey} from {@code git rev-parse}, or an empty list outside a repository. */
    private static List<String> gitSays(Path folder) throws Exception {
        Process process = new ProcessBuilder("git", "rev-parse", "--show-toplevel", "--git-common-dir")
                .directory(folder.toFile())
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        try {
            String out = new String(process.getInputStream().readAllBytes());
            assertTrue(process.waitFor(20, TimeUnit.SECONDS));
            if (process.exitValue() != 0) {
                return List.of();
            }
            String[] lines = out.strip().split("\n");
            return List.of(
                    Path.of(lines[0]).toRealPath().toString(),
                    folder.resolve(lines[1]).normalize().toRealPath().toString());
        } finally {
            process.destroyForcibly();
        }
    }

    private static void git(Path cwd, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("git"));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command)
                .directory(cwd.toFile())
                .redirectErrorStream(true)
                .start();
        try {
            String out = new String(process.getInputStream().readAllBytes());
            assertTrue(process.waitFor(20, TimeUnit.SECONDS), "git " + String.join(" ", args) + " hung");
            assertEquals(0, process.exitValue(), "git " + String.join(" ", args) + ": " + out);
        } finally {
            process.destroyForcibly();
        }
    }
}
