package io.agentpeers.mcp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the server learns about its agent: repository (with worktrees) and terminal names. */
class AgentFactsTest {
    @TempDir
    Path dir;

    @Test
    void aWorktreeSharesTheRepoKeyOfItsMainCheckout() throws Exception {
        Path main = Files.createDirectories(dir.resolve("main"));
        git(main, "init", "-q");
        git(main, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "--allow-empty", "-m", "start");
        Path sub = Files.createDirectories(main.resolve("src/deep"));
        git(main, "worktree", "add", "-q", dir.resolve("wt").toString());

        String[] fromMain = AgentFacts.git(sub);
        assertEquals(main.toRealPath().toString(), fromMain[0]);
        assertEquals(main.toRealPath().resolve(".git").toString(), fromMain[1]);
        String[] fromWorktree = AgentFacts.git(dir.resolve("wt"));
        assertEquals(dir.resolve("wt").toRealPath().toString(), fromWorktree[0]);
        assertEquals(fromMain[1], fromWorktree[1], "one repository, one key");
    }

    @Test
    void outsideARepositoryThereIsNoRoot() {
        assertArrayEquals(new String[] {null, null}, AgentFacts.git(dir));
    }

    @Test
    void ttyNumbersDecode() {
        assertEquals("pts/3", AgentFacts.ttyName((136 << 8) | 3));
        assertEquals("pts/300", AgentFacts.ttyName((137 << 8) | 44));
        assertEquals("tty1", AgentFacts.ttyName((4 << 8) | 1));
        assertEquals("ttyS0", AgentFacts.ttyName((4 << 8) | 64));
        assertNull(AgentFacts.ttyName(0));
    }

    private static void git(Path cwd, String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of("git"));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).directory(cwd.toFile()).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes());
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("git " + String.join(" ", args) + " hung");
        }
        assertEquals(0, process.exitValue(), "git " + String.join(" ", args) + ": " + out);
    }
}
