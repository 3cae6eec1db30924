package io.agentpeers.local;

import io.agentpeers.process.ProcessTerminal;
import java.nio.file.Path;
import java.util.Optional;

/**
 * What a face tells the broker about where its peer sits: folder, repository, terminal and agent
 * process. The MCP server and the CLI both take it from here, so they never disagree. Everything but
 * the cwd is best effort: null when unknown.
 *
 * @param cwd      the working folder as given (the agent's: an agent starts its MCP servers in its own)
 * @param gitRoot  the top folder of the git checkout, see {@link WorkingFolder}
 * @param repoKey  the repository's shared git folder: equal for all worktrees of one repository
 * @param repoRemote the repository's remote as {@code host/path}, see {@link RepoRemote}: equal for all clones
 * @param tty      the terminal, e.g. {@code pts/3}: the agent's, or this process's when there is no agent
 * @param agentPid the agent process (for the MCP server its parent), or null when it registers for itself
 */
public record CallerFacts(String cwd, String gitRoot, String repoKey, String repoRemote, String tty, Long agentPid) {

    /** Looks at {@code cwd} and at the agent's terminal; reads files only (no git process). */
    public static CallerFacts of(Path cwd, Long agentPid) {
        Optional<WorkingFolder> folder = WorkingFolder.of(cwd);
        long terminalOf = agentPid != null ? agentPid : ProcessHandle.current().pid();
        return new CallerFacts(
                cwd.toString(),
                folder.map(WorkingFolder::gitRoot).orElse(null),
                folder.map(WorkingFolder::repoKey).orElse(null),
                folder.flatMap(f -> RepoRemote.of(Path.of(f.repoKey()))).orElse(null),
                ProcessTerminal.of(terminalOf).orElse(null),
                agentPid);
    }
}
