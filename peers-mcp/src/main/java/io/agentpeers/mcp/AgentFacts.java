package io.agentpeers.mcp;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the server tells the broker about its agent: working directory, repository, terminal and the
 * agent process (the server's parent). Everything but the cwd is best effort: null when unknown.
 *
 * @param cwd      the working directory (the agent's: an agent starts its MCP servers in its own)
 * @param gitRoot  {@code git rev-parse --show-toplevel}
 * @param repoKey  the resolved, absolute {@code git rev-parse --git-common-dir}: equal for all worktrees
 * @param tty      the parent's terminal, e.g. {@code pts/3}
 * @param agentPid the parent process, or null when it cannot be told
 */
record AgentFacts(String cwd, String gitRoot, String repoKey, String tty, Long agentPid) {
    private static final Logger LOG = LoggerFactory.getLogger(AgentFacts.class);
    private static final long GIT_TIMEOUT_SECONDS = 5;

    /** Looks around (runs git once); call off the protocol thread. */
    static AgentFacts probe(Path cwd, Long agentPid) {
        String[] repo = git(cwd);
        return new AgentFacts(cwd.toString(), repo[0], repo[1], agentPid == null ? null : tty(agentPid), agentPid);
    }

    /** {gitRoot, repoKey}, either null outside a repository or without git. */
    static String[] git(Path cwd) {
        String[] none = {null, null};
        Process process;
        try {
            process = new ProcessBuilder(List.of("git", "rev-parse", "--show-toplevel", "--git-common-dir"))
                    .directory(cwd.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
        } catch (IOException e) {
            LOG.debug("git is not available: {}", e.getMessage());
            return none;
        }
        try (InputStream out = process.getInputStream()) {
            String text = new String(out.readNBytes(64 * 1024), StandardCharsets.UTF_8);
            if (!process.waitFor(GIT_TIMEOUT_SECONDS, TimeUnit.SECONDS) || process.exitValue() != 0) {
                return none;
            }
            String[] lines = text.strip().split("\n");
            if (lines.length < 2) {
                return none;
            }
            Path root = Path.of(lines[0].strip());
            Path common = cwd.resolve(lines[1].strip()).normalize();
            return new String[] {realOrSame(root).toString(), realOrSame(common).toString()};
        } catch (IOException e) {
            return none;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return none;
        } finally {
            process.destroyForcibly();
        }
    }

    /** The terminal of a process: its stdin's link when that is a terminal, else tty_nr from its stat. */
    static String tty(long pid) {
        try {
            String link = Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "fd", "0")).toString();
            if (link.startsWith("/dev/pts/") || link.matches("/dev/tty[0-9A-Za-z]*")) {
                return link.substring("/dev/".length());
            }
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            // not ours to read, or no such process: try stat
        }
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return ttyName(Integer.parseInt(fields[4]));
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** Decodes the kernel's tty_nr: major in bits 8 to 19, minor in bits 0 to 7 and 20 to 31. */
    static String ttyName(int ttyNr) {
        if (ttyNr == 0) {
            return null;
        }
        int major = (ttyNr >> 8) & 0xfff;
        int minor = (ttyNr & 0xff) | ((ttyNr >> 12) & 0xfff00);
        if (major >= 136 && major <= 143) {
            return "pts/" + ((major - 136) * 256 + minor);
        }
        if (major == 4) {
            return minor < 64 ? "tty" + minor : "ttyS" + (minor - 64);
        }
        return null;
    }

    private static Path realOrSame(Path path) {
        try {
            return path.toRealPath();
        } catch (IOException e) {
            return path.toAbsolutePath().normalize();
        }
    }
}
