package io.agentpeers.local;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Every way a clone names one project's remote gives one key; what names no project gives none. */
@Timeout(60)
class RepoRemoteTest {
    @TempDir
    Path dir;

    @Test
    void theWaysGitNamesOneRemoteGiveOneKey() {
        for (String url : List.of(
                "git@github.com:agentpeers/peers.git",
                "github.com:agentpeers/peers",
                "ssh://git@github.com/agentpeers/peers.git",
                "ssh://git@GitHub.com:22/agentpeers/peers.git/",
                "git+ssh://github.com/agentpeers/peers",
                "https://github.com/agentpeers/peers",
                "https://github.com/agentpeers//peers.git",
                "git://github.com/agentpeers/peers.git")) {
            assertEquals(Optional.of("github.com/agentpeers/peers"), RepoRemote.canonical(url), url);
        }
    }

    @Test
    void credentialsInTheUrlNeverGetIntoTheKey() {
        assertEquals(
                Optional.of("gitlab.example.com/team/app"),
                RepoRemote.canonical("https://oauth2:glpat-SECRET@gitlab.example.com/team/app.git"));
        assertEquals(Optional.of("[::1]/team/app"), RepoRemote.canonical("ssh://user:pw@[::1]:2222/team/app"));
    }

    @Test
    void localAndMalformedRemotesNameNoProject() {
        for (String url : List.of(
                "/srv/git/app.git",
                "./app",
                "../app.git",
                "file:///srv/git/app.git",
                "dir/with:colon",
                "https://github.com",
                "https://github.com/",
                "git@github.com:",
                "",
                "https://github.com/a/b\u001b[2J")) {
            assertEquals(Optional.empty(), RepoRemote.canonical(url), url);
        }
    }

    @Test
    void originWinsAndAnOnlyRemoteCountsButSeveralOthersAreAGuess() {
        String config = """
                [core]
                \turl = not-a-remote
                [remote "upstream"]
                \turl = git@github.com:team/app.git
                [Remote "origin"] ; a comment
                \tfetch = +refs/heads/*:refs/remotes/origin/*
                \tURL = "https://github.com/me/app.git" # my fork
                \turl = https://mirror.example/me/app
                """;
        assertEquals(
                Map.of("upstream", "git@github.com:team/app.git", "origin", "https://github.com/me/app.git"),
                RepoRemote.remoteUrls(config));
    }

    @Test
    void aRealCloneGetsItsOriginAsGitStoresIt() throws Exception {
        Path repo = Files.createDirectories(dir.resolve("app"));
        git(repo, "init", "-q");
        assertEquals(Optional.empty(), RepoRemote.of(repo.resolve(".git")), "no remote yet");
        git(repo, "remote", "add", "upstream", "git@github.com:team/app.git");
        assertEquals(Optional.of("github.com/team/app"), RepoRemote.of(repo.resolve(".git")), "the only remote");
        git(repo, "remote", "add", "fork", "git@github.com:me/app.git");
        assertEquals(Optional.empty(), RepoRemote.of(repo.resolve(".git")), "two, neither is origin");
        git(repo, "remote", "add", "origin", "https://github.com/team/app.git");
        assertEquals(Optional.of("github.com/team/app"), RepoRemote.of(repo.resolve(".git")));

        Path worktree = dir.resolve("wt");
        git(repo, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "--allow-empty", "-m", "start");
        git(repo, "worktree", "add", "-q", worktree.toString());
        assertEquals("github.com/team/app", CallerFacts.of(worktree, null).repoRemote(), "a worktree shares it");
        assertEquals(null, CallerFacts.of(dir, null).repoRemote(), "outside a repository");
    }

    private static void git(Path in, String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of("git", "-C", in.toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            p.getInputStream().readAllBytes();
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new AssertionError("git " + String.join(" ", args) + " failed");
            }
        } finally {
            p.destroyForcibly();
        }
    }
}
