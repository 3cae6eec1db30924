package io.agentpeers.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agentpeers.core.AgentClaims;
import io.agentpeers.core.Claim;
import io.agentpeers.core.ClaimLimits;
import io.agentpeers.core.ClaimOutcome;
import io.agentpeers.core.ClientType;
import io.agentpeers.core.Credentials;
import io.agentpeers.core.HeldClaim;
import io.agentpeers.core.InvalidArgumentException;
import io.agentpeers.core.PeerId;
import io.agentpeers.core.PeerNetwork;
import io.agentpeers.core.PeersLimits;
import io.agentpeers.core.RegisterRequest;
import io.agentpeers.core.Registration;
import io.agentpeers.core.ResumedBy;
import io.agentpeers.core.Scope;
import io.agentpeers.core.port.PeerStore;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The rules of claims on paths, run against a real {@link PeerNetwork} over a store: every store runs it by
 * extending this class and providing {@link #openStore()}.
 */
public abstract class AbstractClaimsContractTest {
    private static final int UID = 1000;
    private static final AtomicLong NEXT_PID = new AtomicLong(50_000);
    private static final String ROOT = "/repo";
    private static final String KEY = "/repo/.git";
    private static final Duration GRACE = Duration.ofHours(1);

    protected final ProcessTable processes = new ProcessTable();
    protected final ManualClock clock = new ManualClock();
    protected PeerStore store;
    protected PeerNetwork network;

    /** A fresh, empty store for one test. */
    protected abstract PeerStore openStore();

    @BeforeEach
    void startNetwork() {
        store = openStore();
        PeersLimits limits = PeersLimits.defaults()
                .withRate(100_000, 100_000)
                .withNameGrace(GRACE)
                .withClaims(new ClaimLimits(4, 3, Duration.ofMinutes(30), Duration.ofHours(2), 40));
        network = new PeerNetwork(store, processes, clock, limits, null);
        network.start();
    }

    @AfterEach
    void stopNetwork() {
        if (network != null) {
            network.close();
        }
        if (store != null) {
            store.close();
        }
    }

    private record Agent(long agentPid, Credentials credentials) {}

    private Agent newAgent() {
        long agent = NEXT_PID.incrementAndGet();
        long server = NEXT_PID.incrementAndGet();
        processes.start(agent, 1, UID, 100 + agent);
        processes.start(server, agent, UID, 200 + server);
        return new Agent(agent, new Credentials(server, UID, UID));
    }

    private Registration register(Agent agent, String cwd, String root, String name) {
        RegisterRequest request = RegisterRequest.of(cwd, ClientType.CLAUDE_CODE)
                .withAgentPid(agent.agentPid())
                .withName(name);
        // Worktrees (under /wt) share the repository key of /repo; any other root is a repository of its own.
        String key = root == null || root.startsWith(ROOT) || root.startsWith("/wt/") ? KEY : root + "/.git";
        return network.register(agent.credentials(), root == null ? request : request.withRepo(root, key));
    }

    private PeerId join(String name) {
        return register(newAgent(), ROOT, ROOT, name).peer().id();
    }

    private ClaimOutcome claim(PeerId who, String... paths) {
        return network.claimPaths(who, List.of(paths), null, null, false);
    }

    private List<String> patterns(PeerId viewer) {
        return network.claims(viewer, Scope.REPO).stream()
                .map(h -> h.holder().displayName() + ":" + h.claim().pattern())
                .toList();
    }

    /** The hook's process: a child of a shell under the agent. */
    private Credentials hookUnder(long agentPid) {
        long shell = NEXT_PID.incrementAndGet();
        long hook = NEXT_PID.incrementAndGet();
        processes.start(shell, agentPid, UID, 300 + shell);
        processes.start(hook, shell, UID, 300 + hook);
        return new Credentials(hook, UID, UID);
    }

    @Test
    void aClaimIsTakenWithItsNoteAndTtlAndListedInTheRepository() {
        PeerId alice = join("alice");
        PeerId bob = join("bob");
        Instant now = clock.instant();

        ClaimOutcome outcome = network.claimPaths(alice, List.of("src/a.java"), 10, "refactoring a", false);

        assertEquals(ROOT, outcome.root());
        assertTrue(outcome.conflicts().isEmpty());
        Claim taken = outcome.taken().get(0);
        assertEquals("src/a.java", taken.pattern());
        assertEquals(KEY, taken.repoKey());
        assertEquals(now.plus(Duration.ofMinutes(10)), taken.expiresAt());
        List<HeldClaim> seen = network.claims(bob, Scope.REPO);
        assertEquals(1, seen.size());
        assertEquals(alice, seen.get(0).holder().id());
        assertEquals("refactoring a", seen.get(0).claim().note());
        assertFalse(seen.get(0).claim().shared());
        assertTrue(seen.get(0).holderLive());
        assertFalse(seen.get(0).unverified());
        assertEquals(taken.id(), seen.get(0).claim().id());
    }

    @Test
    void anOverlappingClaimReturnsTheConflictAndTakesNothing() {
        PeerId alice = join("alice");
        PeerId bob = join("bob");
        network.claimPaths(alice, List.of("src/**"), 20, "moving src", false);

        ClaimOutcome outcome = network.claimPaths(bob, List.of("docs/x.md", "src/main/B.java"), null, null, false);

        assertTrue(outcome.taken().isEmpty(), "all or nothing: docs/x.md is not taken either");
        assertEquals(1, outcome.conflicts().size());
        HeldClaim conflict = outcome.conflicts().get(0);
        assertEquals("alice", conflict.holder().name());
        assertEquals("src/**", conflict.claim().pattern());
        assertEquals("moving src", conflict.claim().note());
        assertEquals(
                clock.instant().plus(Duration.ofMinutes(20)), conflict.claim().expiresAt());
        assertEquals(List.of("alice:src/**"), patterns(bob));
    }

    @Test
    void sharingTakesAnOverlappingClaimAndMarksItShared() {
        PeerId alice = join("alice");
        PeerId bob = join("bob");
        claim(alice, "src/a.java");

        ClaimOutcome outcome = network.claimPaths(bob, List.of("src/*.java"), null, "reviewing", true);

        assertEquals(1, outcome.taken().size());
        assertTrue(outcome.taken().get(0).shared());
        assertEquals(1, outcome.conflicts().size(), "the overlap is still reported");
        assertEquals(List.of("alice:src/a.java", "bob:src/*.java"), patterns(alice));
    }

    @Test
    void claimsThatDoNotOverlapOrAreInAnotherRepositoryDoNotConflict() {
        PeerId alice = join("alice");
        PeerId bob = join("bob");
        PeerId carol = register(newAgent(), "/other", "/other", "carol").peer().id();
        claim(alice, "src/*.java", "docs");

        assertTrue(claim(bob, "src/sub/a.java", "doc/x.md", "README.md")
                .conflicts()
                .isEmpty());
        assertTrue(claim(carol, "src/a.java").conflicts().isEmpty(), "another repository");
        assertEquals(5, patterns(alice).size());
        assertEquals(6, network.claims(alice, Scope.MACHINE).size());
    }

    @Test
    void aFolderCoversWhatIsBelowItAndGlobsOverlapConservatively() {
        PeerId alice = join("alice");
        PeerId bob = join("bob");
        claim(alice, "peers-core/");

        assertEquals(1, claim(bob, "peers-core/src/X.java").conflicts().size(), "a folder covers its files");
        assertEquals(1, claim(bob, "**/*.java").conflicts().size(), "a glob that can name a file below it");
        assertEquals(1, claim(bob, "peers-*").conflicts().size(), "a glob naming the folder itself");
        assertTrue(claim(bob, "peers-cli/**").conflicts().isEmpty());
        network.releasePaths(alice, null);
        claim(alice, "src/*Test.java");
        assertEquals(1, claim(bob, "src/Foo*.java").conflicts().size(), "FooTest.java matches both");
        assertTrue(claim(bob, "src/*.md").conflicts().isEmpty(), "no name ends in both Test.java and .md");
        assertTrue(claim(bob, "src/a/*Test.java").conflicts().isEmpty(), "* stays within one folder");
    }

    @Test
    void claimingAgainRenewsTheClaimAndOwnClaimsNeverConflict() {
        PeerId alice = join("alice");
        claim(alice, "src/a.java");
        clock.advance(Duration.ofMinutes(25));

        ClaimOutcome again = network.claimPaths(alice, List.of("src/a.java", "src/**"), 30, "still on it", false);

        assertTrue(again.conflicts().isEmpty());
        List<HeldClaim> held = network.claims(alice, Scope.REPO);
        assertEquals(2, held.size(), "renewed, not doubled");
        assertEquals(
                clock.instant().plus(Duration.ofMinutes(30)),
                held.get(0).claim().expiresAt());
        assertEquals("still on it", held.get(0).claim().note());
    }

    @Test
    void aClaimEndsWithItsTtl() {
        PeerId alice = join("alice");
        PeerId bob = join("bob");
        network.claimPaths(alice, List.of("src/a.java"), 5, null, false);
        clock.advance(Duration.ofMinutes(5));

        assertTrue(patterns(bob).isEmpty(), "expired at its TTL");
        assertTrue(claim(bob, "src/a.java").conflicts().isEmpty());
        network.sweep();
        assertEquals(
                List.of("bob"),
                store.read(tx -> tx.claims(KEY)).stream()
                        .map(c -> network.find(c.holder()).orElseThrow().name())
                        .toList(),
                "the sweep deleted the expired claim");
    }

    @Test
    void releaseEndsTheNamedClaimsOrAll() {
        PeerId alice = join("alice");
        claim(alice, "src/a.java", "src/b.java", "docs/**");

        assertEquals(List.of("src/a.java"), network.releasePaths(alice, List.of("./src/a.java", "src/none.java")));
        assertEquals(List.of("alice:src/b.java", "alice:docs/**"), patterns(alice));
        assertEquals(List.of("src/b.java", "docs/**"), network.releasePaths(alice, List.of()));
        assertTrue(patterns(alice).isEmpty());
    }

    @Test
    void aGoneHoldersClaimsAreShownAsSuchWarnNobodyAndComeBackWhenItResumes() {
        Agent agent = newAgent();
        PeerId alice = register(agent, ROOT, ROOT, "alice").peer().id();
        PeerId bob = join("bob");
        claim(alice, "src/a.java");
        network.connectionClosed(alice);

        List<HeldClaim> seen = network.claims(bob, Scope.REPO);
        assertEquals(1, seen.size(), "still listed while alice may resume");
        assertFalse(seen.get(0).holderLive());
        assertTrue(claim(bob, "src/b.java", "src/a.java").conflicts().isEmpty(), "a gone holder warns nobody");
        network.releasePaths(bob, null);

        clock.advance(GRACE.minusMinutes(35));
        Registration back = register(agent, ROOT, ROOT, "alice");
        assertEquals(ResumedBy.AGENT, back.resumedBy());
        assertEquals(alice, back.peer().id());
        assertTrue(network.claims(bob, Scope.REPO).get(0).holderLive(), "alice has her claim back");
        assertEquals(1, claim(bob, "src/a.java").conflicts().size());
    }

    @Test
    void aGoneHoldersClaimsEndAfterTheGracePeriod() {
        PeerId alice = join("alice");
        PeerId bob = join("bob");
        network.claimPaths(alice, List.of("src/a.java"), 120, null, false);
        network.connectionClosed(alice);
        clock.advance(GRACE);

        assertTrue(patterns(bob).isEmpty(), "gone past the grace period: its claims are gone");
        network.sweep();
        assertTrue(store.read(tx -> tx.claimsOf(alice)).isEmpty(), "the sweep deleted them");
    }

    @Test
    void unregisteringReleasesEveryClaimAtOnce() {
        PeerId alice = join("alice");
        PeerId bob = join("bob");
        claim(alice, "src/a.java");
        network.unregister(alice);

        assertTrue(patterns(bob).isEmpty());
        assertTrue(store.read(tx -> tx.claimsOf(alice)).isEmpty());
    }

    @Test
    void theLimitsPerCallPerPeerOfTtlAndNoteAreEnforced() {
        PeerId alice = join("alice");
        InvalidArgumentException perCall =
                assertThrows(InvalidArgumentException.class, () -> claim(alice, "a", "b", "c", "d"));
        assertTrue(perCall.getMessage().contains("at most 3"), perCall.getMessage());
        claim(alice, "a", "b", "c");
        InvalidArgumentException perPeer = assertThrows(InvalidArgumentException.class, () -> claim(alice, "d", "e"));
        assertTrue(perPeer.getMessage().contains("at most 4"), perPeer.getMessage());
        claim(alice, "d", "a");
        assertEquals(4, patterns(alice).size(), "renewing a claim does not count twice");
        assertThrows(InvalidArgumentException.class, () -> network.claimPaths(alice, List.of("a"), 0, null, false));
        assertThrows(InvalidArgumentException.class, () -> network.claimPaths(alice, List.of("a"), 121, null, false));
        assertThrows(
                InvalidArgumentException.class,
                () -> network.claimPaths(alice, List.of("a"), 5, "x".repeat(41), false));
        assertThrows(InvalidArgumentException.class, () -> claim(alice));
        assertThrows(InvalidArgumentException.class, () -> network.releasePaths(alice, List.of("a", "b", "c", "d")));
    }

    @Test
    void badGlobsAndPathsOutsideTheRepositoryAreRefusedClearly() {
        PeerId alice = join("alice");
        for (String bad : List.of(
                "src/[ab].java",
                "src/{a,b}",
                "src/a**b/c",
                "..",
                "../x",
                "src/../../x",
                "/etc/passwd",
                "/repository/x",
                "",
                "  ",
                ".",
                "/repo",
                "a\u0000b",
                "a\nb")) {
            InvalidArgumentException e = assertThrows(InvalidArgumentException.class, () -> claim(alice, bad), bad);
            assertFalse(e.getMessage().isBlank());
        }
        assertTrue(patterns(alice).isEmpty(), "nothing was taken");
        PeerId nowhere = register(newAgent(), "/tmp/x", null, "nowhere").peer().id();
        InvalidArgumentException outside = assertThrows(InvalidArgumentException.class, () -> claim(nowhere, "a.java"));
        assertTrue(outside.getMessage().contains("git repository"), outside.getMessage());
    }

    @Test
    void pathsAreNormalisedRelativeToTheRootFromTheWorkingFolderAndAcrossWorktrees() {
        PeerId alice =
                register(newAgent(), ROOT + "/src/main", ROOT, "alice").peer().id();
        ClaimOutcome outcome = claim(alice, "A.java", "/repo/docs/./x/../y.md", "../test//B.java");

        assertEquals(
                List.of("src/main/A.java", "docs/y.md", "src/test/B.java"),
                outcome.taken().stream().map(Claim::pattern).toList());
        // Another worktree of the same repository: its own root, the same repository key.
        PeerId bob = register(newAgent(), "/wt/bob", "/wt/bob", "bob").peer().id();
        ClaimOutcome conflict = claim(bob, "/wt/bob/src/main/A.java");
        assertEquals(1, conflict.conflicts().size(), "the same file in another worktree");
    }

    @Test
    void aClaimOfAnUnverifiedPeerIsShownAsSuch() {
        PeerId alice = join("alice");
        PeerId tcp = network.register(
                        null,
                        RegisterRequest.of(ROOT, ClientType.GENERIC)
                                .withName("tcp")
                                .withRepo(ROOT, KEY))
                .peer()
                .id();
        claim(tcp, "src/a.java");

        HeldClaim seen = network.claims(alice, Scope.REPO).get(0);
        assertTrue(seen.unverified());
        assertEquals(1, claim(alice, "src/a.java").conflicts().size());
    }

    @Test
    void theHookLearnsWhichOtherLivePeersClaimTheFileAboutToBeEdited() {
        Agent agent = newAgent();
        PeerId alice = join("alice");
        PeerId bob = register(agent, ROOT + "/src", ROOT, "bob").peer().id();
        network.claimPaths(alice, List.of("src/**/*.java"), null, "renaming", false);
        claim(bob, "src/mine.txt");

        AgentClaims answer = network.agentClaims(hookUnder(agent.agentPid()), "/repo/src/x/Y.java")
                .orElseThrow();
        assertEquals(bob, answer.peer().id());
        assertEquals("src/x/Y.java", answer.path());
        assertEquals(1, answer.claims().size());
        assertEquals("alice", answer.claims().get(0).holder().name());

        assertTrue(
                network.agentClaims(hookUnder(agent.agentPid()), "mine.txt")
                        .orElseThrow()
                        .claims()
                        .isEmpty(),
                "its own claim is no warning");
        AgentClaims outside =
                network.agentClaims(hookUnder(agent.agentPid()), "/etc/hosts").orElseThrow();
        assertNull(outside.path());
        assertTrue(outside.claims().isEmpty());
        network.connectionClosed(alice);
        assertTrue(
                network.agentClaims(hookUnder(agent.agentPid()), "/repo/src/x/Y.java")
                        .orElseThrow()
                        .claims()
                        .isEmpty(),
                "a gone holder's claim warns nobody");
    }

    // ------------------------------------------------------------ the store's part

    @Test
    void theStoreGivesIncreasingIdsAndARolledBackInsertLeavesNothing() {
        PeerId alice = join("alice");
        Instant now = clock.instant();
        Claim first = store.inTransaction(tx -> tx.insertClaim(claimOf(alice, "a", now)));
        Claim second = store.inTransaction(tx -> tx.insertClaim(claimOf(alice, "b", now)));
        assertTrue(second.id() > first.id());
        assertThrows(
                IllegalStateException.class,
                () -> store.inTransaction(tx -> {
                    tx.insertClaim(claimOf(alice, "c", now));
                    throw new IllegalStateException("roll back");
                }));
        assertEquals(
                List.of("a", "b"),
                store.read(tx -> tx.claimsOf(alice)).stream()
                        .map(Claim::pattern)
                        .toList());
        Claim third = store.inTransaction(tx -> tx.insertClaim(claimOf(alice, "d", now)));
        assertTrue(third.id() > second.id());
        assertEquals(first, store.read(tx -> tx.claims(KEY)).get(0), "every field kept");
    }

    @Test
    void theStoreDeletesOnlyTheHoldersOwnClaimsAndMovesThem() {
        PeerId alice = join("alice");
        PeerId bob = join("bob");
        Instant now = clock.instant();
        Claim mine = store.inTransaction(tx -> tx.insertClaim(claimOf(alice, "a", now)));
        assertEquals(0, (int) store.inTransaction(tx -> tx.deleteClaims(bob, List.of(mine.id(), 999L))));
        store.inTransaction(tx -> {
            tx.moveClaims(alice, bob);
            return null;
        });
        assertTrue(store.read(tx -> tx.claimsOf(alice)).isEmpty());
        assertEquals(
                List.of(mine.id()),
                store.read(tx -> tx.claimsOf(bob)).stream().map(Claim::id).toList());
        assertEquals(1, (int) store.inTransaction(tx -> tx.deleteClaims(bob, List.of(mine.id()))));
        assertEquals(0, (int) store.inTransaction(tx -> tx.deleteClaims(bob, List.of())));
    }

    @Test
    void theStoreDeletesEndedClaimsAndThoseOfDeletedPeers() {
        PeerId alice = join("alice");
        PeerId bob = join("bob");
        Instant now = clock.instant();
        store.inTransaction(tx -> {
            tx.insertClaim(claimOf(alice, "expired", now.minusSeconds(1)));
            tx.insertClaim(claimOf(alice, "ending-now", now));
            tx.insertClaim(claimOf(alice, "running", now.plusSeconds(60)));
            tx.insertClaim(claimOf(bob, "bobs", now.plusSeconds(60)));
            return null;
        });
        assertEquals(2, (int) store.inTransaction(tx -> tx.deleteEndedClaims(now, now.minusSeconds(3600))));
        network.connectionClosed(bob);
        Instant goneAt = clock.instant();
        assertEquals(0, (int) store.inTransaction(tx -> tx.deleteEndedClaims(now, goneAt.minusMillis(1))));
        assertEquals(1, (int) store.inTransaction(tx -> tx.deleteEndedClaims(now, goneAt)), "gone at the cut-off");
        store.inTransaction(tx -> tx.insertClaim(claimOf(bob, "again", now.plusSeconds(60))));
        store.inTransaction(tx -> tx.deleteGonePeers(goneAt.plusMillis(1)));
        assertEquals(
                List.of("running"),
                store.read(tx -> tx.claims(null)).stream().map(Claim::pattern).toList(),
                "a deleted peer's claims went with it");
    }

    private static Claim claimOf(PeerId holder, String pattern, Instant expiresAt) {
        return new Claim(0, holder, KEY, pattern, "note of " + pattern, false, expiresAt.minusSeconds(600), expiresAt);
    }

    @Test
    void aHookUnderNoPeerGetsNothing() {
        long stranger = NEXT_PID.incrementAndGet();
        processes.start(stranger, 1, UID, 7);
        assertTrue(network.agentClaims(hookUnder(stranger), "/repo/a").isEmpty());
    }
}
