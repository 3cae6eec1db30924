package io.agentpeers.core;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What a client says about itself when it registers. Nothing here is trusted as identity: the
 * connection's {@link Credentials} come from the transport, and {@code agentPid} is verified.
 *
 * @param agentPid     the process {@code kill} should end, if not the connecting process itself (an MCP
 *                     server names its parent); must be the connecting process's parent, same uid
 * @param name         a wanted name, or {@code null}
 * @param cwd          the agent's working directory
 * @param gitRoot      top of its git work tree, or {@code null}
 * @param repoKey      the resolved git common dir, or {@code null}
 * @param repoRemote   the repository's remote as {@code host/path} (see {@code io.agentpeers.local.RepoRemote}), the key of scope
 *                     {@code repo} across hosts, or {@code null}
 * @param tty          its terminal, or {@code null}
 * @param clientType   what kind of client this is
 * @param summary      an initial summary, or {@code null}
 * @param resumeSecret a secret from an earlier registration, to take that peer back, or {@code null}
 * @param sessionKey   the agent client's own id for its session (Claude Code's {@code CLAUDE_CODE_SESSION_ID}),
 *                     so that a new process of the same session takes the same peer back, or {@code null};
 *                     1 to 128 of {@code A-Z a-z 0-9 . _ : -}
 */
public record RegisterRequest(
        Long agentPid,
        String name,
        String cwd,
        String gitRoot,
        String repoKey,
        String repoRemote,
        String tty,
        ClientType clientType,
        String summary,
        String resumeSecret,
        String sessionKey) {
    private static final Pattern SESSION_KEY = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

    /**
     * Blank optional values become {@code null}.
     *
     * @throws InvalidArgumentException when {@code cwd} is missing or blank
     */
    public RegisterRequest {
        if (cwd == null || cwd.isBlank()) {
            throw new InvalidArgumentException("cwd is required: the agent's working directory");
        }
        Objects.requireNonNull(clientType, "clientType");
        name = blankToNull(name);
        gitRoot = blankToNull(gitRoot);
        repoKey = blankToNull(repoKey);
        repoRemote = blankToNull(repoRemote);
        tty = blankToNull(tty);
        resumeSecret = blankToNull(resumeSecret);
        sessionKey = blankToNull(sessionKey);
        if (sessionKey != null) {
            requireSessionKey(sessionKey);
        }
    }

    /**
     * {@code key} when it is a valid session key ({@link #isSessionKey}).
     *
     * @throws InvalidArgumentException otherwise, saying what a key may hold
     */
    public static String requireSessionKey(String key) {
        if (!isSessionKey(key)) {
            throw new InvalidArgumentException("session_key must be 1 to 128 of A-Z, a-z, 0-9, '.', '_', ':' and '-'");
        }
        return key;
    }

    /** Whether {@code key} is a valid session key: 1 to 128 of {@code A-Z a-z 0-9 . _ : -}. */
    public static boolean isSessionKey(String key) {
        return key != null && SESSION_KEY.matcher(key).matches();
    }

    /** A plain registration with these values (no session key). */
    public RegisterRequest(
            Long agentPid,
            String name,
            String cwd,
            String gitRoot,
            String repoKey,
            String repoRemote,
            String tty,
            ClientType clientType,
            String summary,
            String resumeSecret) {
        this(agentPid, name, cwd, gitRoot, repoKey, repoRemote, tty, clientType, summary, resumeSecret, null);
    }

    /** A plain registration: no agent, name, repository or resume. */
    public static RegisterRequest of(String cwd, ClientType clientType) {
        return new RegisterRequest(null, null, cwd, null, null, null, null, clientType, null, null, null);
    }

    /** This request asking for a name ({@code null}: none). */
    public RegisterRequest withName(String newName) {
        return new RegisterRequest(
                agentPid,
                newName,
                cwd,
                gitRoot,
                repoKey,
                repoRemote,
                tty,
                clientType,
                summary,
                resumeSecret,
                sessionKey);
    }

    /** This request naming the agent process {@code kill} should end ({@code null}: the connecting process). */
    public RegisterRequest withAgentPid(Long pid) {
        return new RegisterRequest(
                pid, name, cwd, gitRoot, repoKey, repoRemote, tty, clientType, summary, resumeSecret, sessionKey);
    }

    /**
     * This request with the agent's git work tree and repository key ({@code null} outside a repository), and no
     * remote.
     */
    public RegisterRequest withRepo(String newGitRoot, String newRepoKey) {
        return new RegisterRequest(
                agentPid, name, cwd, newGitRoot, newRepoKey, null, tty, clientType, summary, resumeSecret, sessionKey);
    }

    /** This request with the repository's remote ({@code null}: none). */
    public RegisterRequest withRepoRemote(String remote) {
        return new RegisterRequest(
                agentPid, name, cwd, gitRoot, repoKey, remote, tty, clientType, summary, resumeSecret, sessionKey);
    }

    /** This request taking back the peer an earlier registration's secret names. */
    public RegisterRequest withResumeSecret(String secret) {
        return new RegisterRequest(
                agentPid, name, cwd, gitRoot, repoKey, repoRemote, tty, clientType, summary, secret, sessionKey);
    }

    /** This request from the agent session {@code key} ({@code null}: none). */
    public RegisterRequest withSessionKey(String key) {
        return new RegisterRequest(
                agentPid, name, cwd, gitRoot, repoKey, repoRemote, tty, clientType, summary, resumeSecret, key);
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }
}
