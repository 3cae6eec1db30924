package io.agentpeers.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agentpeers.core.AgentNotVerifiedException;
import io.agentpeers.core.AgentUnread;
import io.agentpeers.core.ClientType;
import io.agentpeers.core.Credentials;
import io.agentpeers.core.InvalidArgumentException;
import io.agentpeers.core.InvalidNameException;
import io.agentpeers.core.KillRefusedException;
import io.agentpeers.core.Message;
import io.agentpeers.core.MessageState;
import io.agentpeers.core.MessageTooLargeException;
import io.agentpeers.core.NameTakenException;
import io.agentpeers.core.NotAuthorizedException;
import io.agentpeers.core.NotRegisteredException;
import io.agentpeers.core.Peer;
import io.agentpeers.core.PeerId;
import io.agentpeers.core.PeerNetwork;
import io.agentpeers.core.PeersEvent;
import io.agentpeers.core.PeersLimits;
import io.agentpeers.core.RateLimitedException;
import io.agentpeers.core.RegisterRequest;
import io.agentpeers.core.Registration;
import io.agentpeers.core.ResumeRefusedException;
import io.agentpeers.core.ResumedBy;
import io.agentpeers.core.Scope;
import io.agentpeers.core.SendResult;
import io.agentpeers.core.SummaryTooLongException;
import io.agentpeers.core.SweepReport;
import io.agentpeers.core.UnknownMessageException;
import io.agentpeers.core.UnknownPeerException;
import io.agentpeers.core.Urgency;
import io.agentpeers.core.WriterCounts;
import io.agentpeers.core.port.PeerStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The rules of peers, run against a real {@link PeerNetwork} over a store. Every store runs it by
 * extending this class and providing {@link #openStore()}.
 */
public abstract class AbstractPeerNetworkContractTest implements CoordinationNetworkContract {
    protected static final int UID = 1000;
    private static final AtomicLong NEXT_PID = new AtomicLong(10_000);

    protected final ProcessTable processes = new ProcessTable();
    protected final ManualClock clock = new ManualClock();
    protected final List<PeersEvent> events = new CopyOnWriteArrayList<>();
    protected PeerStore store;
    protected PeerNetwork network;

    /** A fresh, empty store for one test. */
    protected abstract PeerStore openStore();

    /** The limits the suite runs with; the rate limit is high unless a test lowers it. */
    protected PeersLimits limits() {
        return PeersLimits.defaults().withRate(100_000, 100_000);
    }

    /** The same data again after {@link #store} was closed, for a durable store; null (the default) for one that forgets. */
    protected PeerStore reopenStore() {
        return null;
    }

    @Override
    public PeerNetwork networkUnderTest() {
        return network;
    }

    @Override
    public PeerId joinAs(String name, ClientType type) {
        return joinNamed(name, type, UID);
    }

    @Override
    public void advanceClock(Duration by) {
        clock.advance(by);
    }

    @Override
    public boolean restartNetwork() {
        network.close();
        store.close();
        store = reopenStore();
        if (store == null) {
            network = null;
            return false;
        }
        network = new PeerNetwork(store, processes, clock, limits(), events::addAll);
        network.start();
        return true;
    }

    @BeforeEach
    void startNetwork() {
        store = openStore();
        network = new PeerNetwork(store, processes, clock, limits(), events::addAll);
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

    /** An agent process with an MCP server child; the child holds the connection. */
    protected record Agent(long agentPid, long serverPid, Credentials credentials) {}

    protected Agent newAgent() {
        return newAgent(UID);
    }

    protected Agent newAgent(int uid) {
        long agent = NEXT_PID.incrementAndGet();
        long server = NEXT_PID.incrementAndGet();
        processes.start(agent, 1, uid, 100 + agent);
        processes.start(server, agent, uid, 200 + server);
        return new Agent(agent, server, new Credentials(server, uid, uid));
    }

    protected Registration register(Agent agent, String cwd) {
        return network.register(
                agent.credentials(),
                RegisterRequest.of(cwd, ClientType.CLAUDE_CODE).withAgentPid(agent.agentPid()));
    }

    protected PeerId join(String cwd) {
        return register(newAgent(), cwd).peer().id();
    }

    protected PeerId joinNamed(String name) {
        return joinNamed(name, ClientType.GENERIC, UID);
    }

    protected PeerId joinNamed(String name, ClientType clientType, int uid) {
        return network.register(
                        newAgent(uid).credentials(),
                        RegisterRequest.of("/work", clientType).withName(name))
                .peer()
                .id();
    }

    // ------------------------------------------------------------ registration and identity

    @Test
    void registrationRecordsVerifiedConnectionAndAgent() {
        Agent agent = newAgent();
        Registration registration = register(agent, "/work/a");
        Peer peer = registration.peer();

        assertTrue(peer.id().value().matches("[0-9a-z]{10}"), peer.id().value());
        assertTrue(peer.verified());
        assertEquals(agent.serverPid(), peer.connection().pid());
        assertEquals(agent.agentPid(), peer.agent().pid());
        assertEquals(100 + agent.agentPid(), peer.agent().startTicks());
        assertTrue(peer.live());
        assertFalse(registration.resumed());
        assertNotNull(registration.resumeSecret());
        assertTrue(registration.resumeSecret().length() >= 43, "256-bit secret");
        assertNotEquals(registration.resumeSecret(), peer.resumeSecretHash(), "only a hash is stored");
        assertEquals(peer, network.whoami(peer.id()));
    }

    @Test
    void idsAreUniqueAndUnguessable() {
        Set<PeerId> ids = new HashSet<>();
        for (int i = 0; i < 50; i++) {
            ids.add(join("/w"));
        }
        assertEquals(50, ids.size());
    }

    @Test
    void theWriterCountsItsCommitsAndTheWritesTheyHeld() {
        WriterCounts before = network.writerCounts();
        PeerId alice = join("/w");
        PeerId bob = join("/w");
        network.send(alice, bob.value(), "counted", null);
        WriterCounts after = network.writerCounts();
        long units = after.units() - before.units();
        long transactions = after.transactions() - before.transactions();
        assertEquals(3, units, "two registrations and a send, one after the other");
        assertEquals(3, transactions, "nothing queued behind them: a commit each");
    }

    @Test
    void withoutAnAgentPidTheConnectionProcessIsTheAgent() {
        Agent agent = newAgent();
        Peer peer = network.register(agent.credentials(), RegisterRequest.of("/w", ClientType.CLI))
                .peer();
        assertTrue(peer.agent().sameProcessAs(peer.connection()));
    }

    @Test
    void anAgentThatIsNotTheParentIsRefused() {
        Agent agent = newAgent();
        Agent stranger = newAgent();
        assertThrows(
                AgentNotVerifiedException.class,
                () -> network.register(
                        agent.credentials(),
                        RegisterRequest.of("/w", ClientType.CLAUDE_CODE).withAgentPid(stranger.agentPid())));
    }

    @Test
    void anAgentOfAnotherUidIsRefused() {
        long agentPid = NEXT_PID.incrementAndGet();
        long serverPid = NEXT_PID.incrementAndGet();
        processes.start(agentPid, 1, 0, 1);
        processes.start(serverPid, agentPid, UID, 2);
        assertThrows(
                AgentNotVerifiedException.class,
                () -> network.register(
                        new Credentials(serverPid, UID, UID),
                        RegisterRequest.of("/w", ClientType.CLAUDE_CODE).withAgentPid(agentPid)));
    }

    @Test
    void aConnectionWithoutCredentialsIsUnverified() {
        Peer peer = network.register(
                        null, RegisterRequest.of("/w", ClientType.GENERIC).withAgentPid(4242L))
                .peer();
        assertFalse(peer.verified());
        assertNull(peer.agent(), "an unverified agent pid is never recorded");
    }

    @Test
    void namesFollowTheirRules() {
        PeerId alice = joinNamed("alice");
        assertEquals("alice", network.whoami(alice).name());
        PeerId hyphenated = joinNamed("code-reviewer-2");
        assertEquals(hyphenated, network.resolve("code-reviewer-2").id());
        assertThrows(NameTakenException.class, () -> joinNamed("alice"));
        assertThrows(InvalidNameException.class, () -> joinNamed("Alice"));
        assertThrows(InvalidNameException.class, () -> joinNamed("a".repeat(33)));
        assertThrows(InvalidNameException.class, () -> joinNamed("has space"));
        assertThrows(InvalidNameException.class, () -> joinNamed("broker"));
        assertThrows(NameTakenException.class, () -> joinNamed(alice.value()), "a name equal to an id is refused");

        PeerId bob = join("/w");
        assertThrows(NameTakenException.class, () -> network.setName(bob, "alice"));
        assertEquals("bobby", network.setName(bob, "bobby").name());
        assertNull(network.setName(bob, "").name());
    }

    @Test
    void aGonePeersNameIsReservedForTheGracePeriodOnly() {
        PeerId alice = joinNamed("alice");
        network.connectionClosed(alice);
        // Another client type (or uid) may not take it over (the same may: see the takeover tests).
        assertThrows(NameTakenException.class, () -> joinNamed("alice", ClientType.CODEX, UID));
        assertEquals(alice, network.resolve("alice").id(), "a reserved name still reaches its peer");

        clock.advance(limits().nameGrace().plusSeconds(1));
        PeerId newAlice = joinNamed("alice", ClientType.CODEX, UID);
        assertNotEquals(alice, newAlice);
        assertEquals(newAlice, network.resolve("alice").id());
    }

    @Test
    void aNewSessionOfTheSameUserAndClientTakesOverTheGonePeerOfTheNameItAsksFor() {
        PeerId sender = join("/w");
        PeerId carol = network.register(newAgent().credentials(), claudeNamed("carol", "/repo/a"))
                .peer()
                .id();
        network.setSummary(carol, "reviewing the parser");
        network.connectionClosed(carol);
        network.send(sender, "carol", "one", null);
        network.send(sender, "carol", "two", null);

        // Claude Code quit and started again, in another folder: another agent process, same user.
        Registration again = network.register(newAgent().credentials(), claudeNamed("carol", "/repo/b"));
        assertEquals(carol, again.peer().id());
        assertEquals(ResumedBy.NAME, again.resumedBy());
        assertEquals(2, again.pending());
        assertEquals("carol", again.peer().name());
        assertEquals("/repo/b", again.peer().cwd());
        assertEquals("reviewing the parser", again.peer().summary());
        assertEquals(
                List.of("one", "two"),
                network.pending(carol, 10).stream().map(Message::text).toList());
    }

    @Test
    void aLiveNameAnotherUsersOrAnotherClientsIsNeverTakenOver() {
        PeerId live = network.register(newAgent().credentials(), claudeNamed("live", "/w"))
                .peer()
                .id();
        assertThrows(
                NameTakenException.class, () -> network.register(newAgent().credentials(), claudeNamed("live", "/w")));
        assertTrue(network.find(live).orElseThrow().live());

        PeerId theirs = network.register(newAgent(UID + 1).credentials(), claudeNamed("theirs", "/w"))
                .peer()
                .id();
        network.connectionClosed(theirs);
        assertThrows(
                NameTakenException.class,
                () -> network.register(newAgent().credentials(), claudeNamed("theirs", "/w")),
                "another uid's gone peer keeps its name");

        PeerId codex = joinNamed("coder", ClientType.CODEX, UID);
        network.connectionClosed(codex);
        assertThrows(
                NameTakenException.class,
                () -> network.register(newAgent().credentials(), claudeNamed("coder", "/w")),
                "another client type's gone peer keeps its name");
    }

    @Test
    void aTcpPeerIsTakenBackOnlyByItsSecret() {
        Registration bot = network.register(
                null, RegisterRequest.of("/w", ClientType.GENERIC).withName("bot"));
        network.connectionClosed(bot.peer().id());
        assertThrows(
                NameTakenException.class,
                () -> network.register(
                        null, RegisterRequest.of("/w", ClientType.GENERIC).withName("bot")));
        assertThrows(
                NameTakenException.class,
                () -> network.register(
                        newAgent().credentials(),
                        RegisterRequest.of("/w", ClientType.GENERIC).withName("bot")),
                "a verified caller does not take over an unverified peer");
        Registration back = network.register(
                null, RegisterRequest.of("/w", ClientType.GENERIC).withResumeSecret(bot.resumeSecret()));
        assertEquals(bot.peer().id(), back.peer().id());
        assertEquals(ResumedBy.SECRET, back.resumedBy());
    }

    @Test
    void aNewProcessOfTheSameAgentSessionTakesItsPeerBack() {
        RegisterRequest session =
                RegisterRequest.of("/w", ClientType.CLAUDE_CODE).withSessionKey("0f1e2d3c-aaaa-bbbb-cccc-1234567890ab");
        Agent first = newAgent();
        PeerId peer = network.register(first.credentials(), session.withAgentPid(first.agentPid()))
                .peer()
                .id();
        network.connectionClosed(peer);

        Agent continued = newAgent(); // `claude --continue`: a new Claude Code process, the same session
        Registration back = network.register(continued.credentials(), session.withAgentPid(continued.agentPid()));
        assertEquals(peer, back.peer().id());
        assertEquals(ResumedBy.SESSION, back.resumedBy());
        network.connectionClosed(peer);

        Agent stranger = newAgent(UID + 1);
        Registration theirs = network.register(stranger.credentials(), session.withAgentPid(stranger.agentPid()));
        assertNotEquals(peer, theirs.peer().id(), "another uid's process never resumes it by the session key");
        Registration codex = network.register(
                newAgent().credentials(),
                RegisterRequest.of("/w", ClientType.CODEX).withSessionKey("0f1e2d3c-aaaa-bbbb-cccc-1234567890ab"));
        assertNotEquals(peer, codex.peer().id(), "nor another client type");
        assertThrows(
                InvalidArgumentException.class,
                () -> RegisterRequest.of("/w", ClientType.CLAUDE_CODE).withSessionKey("has space"));
    }

    @Test
    void aSessionNamedAfterRegisteringTakesItsGonePeerBackWithItsMail() {
        String thread = "01a2328b-0818-7da2-880b-9a20103b3280";
        PeerId sender = join("/w");
        Agent appServer = newAgent();
        RegisterRequest codex = RegisterRequest.of("/w", ClientType.CODEX).withAgentPid(appServer.agentPid());
        PeerId first = network.register(appServer.credentials(), codex).peer().id();
        assertNull(network.bindSession(first, thread).resumedBy(), "nothing to take back: the key is recorded");
        network.setSummary(first, "porting the parser");
        network.connectionClosed(first);
        network.send(sender, first.value(), "while you were away", null);

        // `codex resume`: a new server under the same app-server, same folder. It does not take the gone
        // peer by the agent (another session of that app-server may be the one starting), only by the thread.
        long server = NEXT_PID.incrementAndGet();
        processes.start(server, appServer.agentPid(), UID, 900 + server);
        Registration fresh = network.register(new Credentials(server, UID, UID), codex);
        assertNotEquals(first, fresh.peer().id());
        network.send(sender, fresh.peer().id().value(), "sent to the new one", null);

        Registration bound = network.bindSession(fresh.peer().id(), thread);
        assertEquals(first, bound.peer().id());
        assertEquals(ResumedBy.SESSION, bound.resumedBy());
        assertEquals(2, bound.pending());
        assertTrue(bound.peer().live());
        assertEquals("porting the parser", bound.peer().summary());
        assertEquals(server, bound.peer().connection().pid());
        assertEquals(
                List.of("while you were away", "sent to the new one"),
                network.pending(first, 10).stream().map(Message::text).toList());
        Peer retired = network.find(fresh.peer().id()).orElseThrow();
        assertFalse(retired.live());
        assertNull(retired.name());
        assertEquals(first, network.resolve(first.value()).id());

        // The broker restarts, say: the secret the new server holds takes back the peer it became.
        network.connectionClosed(first);
        Registration again =
                network.register(new Credentials(server, UID, UID), codex.withResumeSecret(fresh.resumeSecret()));
        assertEquals(first, again.peer().id());
        assertEquals(ResumedBy.SECRET, again.resumedBy());
    }

    @Test
    void aSessionKeyTakesNoPeerOfAnotherUserOrClient() {
        String thread = "01a2328b-0818-7da2-880b-9a20103b3281";
        PeerId theirs = network.register(newAgent(UID + 1).credentials(), RegisterRequest.of("/w", ClientType.CODEX))
                .peer()
                .id();
        network.bindSession(theirs, thread);
        network.connectionClosed(theirs);
        PeerId claude = join("/w");
        network.bindSession(claude, thread);
        network.connectionClosed(claude);

        PeerId mine = network.register(newAgent().credentials(), RegisterRequest.of("/w", ClientType.CODEX))
                .peer()
                .id();
        Registration bound = network.bindSession(mine, thread);
        assertEquals(mine, bound.peer().id(), "another uid's and another client's peers stay theirs");
        assertNull(bound.resumedBy());
        assertThrows(InvalidArgumentException.class, () -> network.bindSession(mine, "not a key"));
    }

    @Test
    void thePreviousSecretIsAcceptedUntilTheNewOneIsUsed() {
        Registration first = network.register(null, RegisterRequest.of("/w", ClientType.GENERIC));
        PeerId id = first.peer().id();
        network.connectionClosed(id);
        // The resume's answer is lost: the client never learns the second secret.
        Registration lost = network.register(
                null, RegisterRequest.of("/w", ClientType.GENERIC).withResumeSecret(first.resumeSecret()));
        network.connectionClosed(id);
        Registration retried = network.register(
                null, RegisterRequest.of("/w", ClientType.GENERIC).withResumeSecret(first.resumeSecret()));
        assertEquals(id, retried.peer().id(), "the secret the client still has works once more");
        network.connectionClosed(id);
        assertThrows(
                ResumeRefusedException.class,
                () -> network.register(
                        null, RegisterRequest.of("/w", ClientType.GENERIC).withResumeSecret(lost.resumeSecret())),
                "the unseen secret was replaced");

        Registration used = network.register(
                null, RegisterRequest.of("/w", ClientType.GENERIC).withResumeSecret(retried.resumeSecret()));
        assertEquals(id, used.peer().id());
        network.connectionClosed(id);
        assertThrows(
                ResumeRefusedException.class,
                () -> network.register(
                        null, RegisterRequest.of("/w", ClientType.GENERIC).withResumeSecret(first.resumeSecret())),
                "once the newer one was used, the old one is refused");
    }

    private RegisterRequest claudeNamed(String name, String cwd) {
        return RegisterRequest.of(cwd, ClientType.CLAUDE_CODE).withName(name);
    }

    @Test
    void connectionsClosedTogetherLeaveTheirPeersAsEachClosingAloneWould() {
        PeerId alice = joinNamed("alice");
        PeerId bob = join("/w");
        PeerId left = join("/w");
        network.unregister(left);
        PeerId alone = joinNamed("alone");
        network.connectionClosed(alone);
        events.clear();

        assertEquals(2, network.connectionsClosed(List.of(alice, bob, left, new PeerId("nobody00"))));
        Peer aliceGone = network.find(alice).orElseThrow();
        Peer aloneGone = network.find(alone).orElseThrow();
        assertFalse(aliceGone.live());
        assertFalse(network.find(bob).orElseThrow().live());
        assertEquals(aloneGone.goneAt(), aliceGone.goneAt());
        assertEquals(aloneGone.nameReservedUntil(), aliceGone.nameReservedUntil(), "the name grace, as after a close");
        assertThrows(NameTakenException.class, () -> joinNamed("alice", ClientType.CODEX, UID));
        assertEquals(
                Set.of(alice, bob),
                events.stream()
                        .map(e -> e instanceof PeersEvent.PeerLeft gone
                                        && gone.reason().equals("disconnected")
                                ? gone.peer().id()
                                : null)
                        .collect(Collectors.toSet()),
                "one PeerLeft each, for the live ones only");
        assertEquals(0, network.connectionsClosed(List.of(alice, bob)), "gone already");
        assertEquals(0, network.connectionsClosed(List.of()));
    }

    @Test
    void unregisteringReleasesTheNameAtOnce() {
        PeerId alice = joinNamed("alice");
        network.unregister(alice);
        assertNotEquals(alice, joinNamed("alice"));
    }

    @Test
    void summariesAreBounded() {
        PeerId me = join("/w");
        assertEquals(
                "reviewing the parser",
                network.setSummary(me, "  reviewing the parser ").summary());
        assertThrows(SummaryTooLongException.class, () -> network.setSummary(me, "x".repeat(1025)));
        assertEquals("reviewing the parser", network.whoami(me).summary());
    }

    @Test
    void requestsOfAGoneOrUnknownPeerAreRefused() {
        PeerId me = join("/w");
        network.connectionClosed(me);
        assertThrows(NotRegisteredException.class, () -> network.setSummary(me, "hi"));
        assertThrows(NotRegisteredException.class, () -> network.listPeers(new PeerId("nobody00"), Scope.MACHINE));
    }

    // ------------------------------------------------------------ scopes

    @Test
    void scopesSelectTheRightPeers() {
        Agent a = newAgent();
        PeerId main = network.register(
                        a.credentials(),
                        RegisterRequest.of("/repo", ClientType.CLAUDE_CODE).withRepo("/repo", "/repo/.git"))
                .peer()
                .id();
        PeerId sameDir = network.register(
                        newAgent().credentials(),
                        RegisterRequest.of("/repo", ClientType.CODEX).withRepo("/repo", "/repo/.git"))
                .peer()
                .id();
        PeerId worktree = network.register(
                        newAgent().credentials(),
                        RegisterRequest.of("/wt/feature", ClientType.CODEX).withRepo("/wt/feature", "/repo/.git"))
                .peer()
                .id();
        PeerId elsewhere = network.register(newAgent().credentials(), RegisterRequest.of("/other", ClientType.GENERIC))
                .peer()
                .id();
        PeerId gone = network.register(
                        newAgent().credentials(),
                        RegisterRequest.of("/repo", ClientType.GENERIC).withRepo("/repo", "/repo/.git"))
                .peer()
                .id();
        network.connectionClosed(gone);

        assertEquals(Set.of(sameDir, worktree, elsewhere), ids(network.listPeers(main, Scope.MACHINE)));
        // One broker on its store: the network is this machine (several brokers: SharedPostgresBrokersTest).
        assertEquals(Set.of(sameDir, worktree, elsewhere), ids(network.listPeers(main, Scope.NETWORK)));
        assertEquals(Set.of(sameDir), ids(network.listPeers(main, Scope.DIRECTORY)));
        assertEquals(Set.of(sameDir, worktree), ids(network.listPeers(main, Scope.REPO)));
        PeerId noRepoSameDir = network.register(newAgent().credentials(), RegisterRequest.of("/other", ClientType.CLI))
                .peer()
                .id();
        assertEquals(
                Set.of(elsewhere),
                ids(network.listPeers(noRepoSameDir, Scope.REPO)),
                "without a repository, repo falls back to directory");
    }

    @Test
    void scopeRepoAlsoMatchesClonesOfOneRemote() {
        PeerId here = network.register(
                        newAgent().credentials(),
                        RegisterRequest.of("/src/app", ClientType.CLAUDE_CODE)
                                .withRepo("/src/app", "/src/app/.git")
                                .withRepoRemote("github.com/team/app"))
                .peer()
                .id();
        PeerId otherClone = network.register(
                        newAgent().credentials(),
                        RegisterRequest.of("/tmp/app-copy", ClientType.CODEX)
                                .withRepo("/tmp/app-copy", "/tmp/app-copy/.git")
                                .withRepoRemote("github.com/team/app"))
                .peer()
                .id();
        PeerId worktreeWithoutRemote = network.register(
                        newAgent().credentials(),
                        RegisterRequest.of("/wt/app", ClientType.CODEX).withRepo("/wt/app", "/src/app/.git"))
                .peer()
                .id();
        PeerId otherProject = network.register(
                        newAgent().credentials(),
                        RegisterRequest.of("/src/lib", ClientType.CODEX)
                                .withRepo("/src/lib", "/src/lib/.git")
                                .withRepoRemote("github.com/team/lib"))
                .peer()
                .id();

        assertEquals(Set.of(otherClone, worktreeWithoutRemote), ids(network.listPeers(here, Scope.REPO)));
        assertEquals(Set.of(here), ids(network.listPeers(otherClone, Scope.REPO)), "by remote only");
        assertEquals(Set.of(here), ids(network.listPeers(worktreeWithoutRemote, Scope.REPO)), "by key only");
        assertEquals(Set.of(), ids(network.listPeers(otherProject, Scope.REPO)));
        assertEquals(
                "github.com/team/app",
                network.listPeers(otherProject, Scope.MACHINE).stream()
                        .filter(p -> p.id().equals(otherClone))
                        .findFirst()
                        .orElseThrow()
                        .repoRemote());
    }

    private static Set<PeerId> ids(List<Peer> peers) {
        Set<PeerId> ids = new HashSet<>();
        peers.forEach(p -> ids.add(p.id()));
        return ids;
    }

    // ------------------------------------------------------------ messages

    @Test
    void aMessageGoesFromTheCallerToThePeerNamedByIdOrName() {
        PeerId alice = join("/w");
        PeerId bob = joinNamed("bob");
        SendResult byName = network.send(alice, "bob", "hello bob", null);
        SendResult byId =
                network.send(alice, bob.value(), "again", byName.message().id());

        assertEquals(alice, byName.message().sender());
        assertEquals(bob, byName.message().recipient());
        assertEquals(MessageState.PENDING, byName.message().state());
        assertTrue(byId.message().id() > byName.message().id(), "ids increase");
        assertEquals(byName.message().id(), byId.message().replyTo());
        assertEquals(
                List.of("hello bob", "again"),
                network.pending(bob, 10).stream().map(Message::text).toList());
    }

    @Test
    void answeringAMessageMarksItReadHoweverItWasShown() {
        PeerId alice = join("/w");
        PeerId bob = joinNamed("bob");
        Message question = network.send(alice, "bob", "question", null).message();
        Message other = network.send(alice, "bob", "another", null).message();

        // bob's model saw the question by a push alone and answers it
        network.send(bob, alice.value(), "answer", question.id());
        // alice answering her own sent message changes nothing of bob's
        network.send(alice, "bob", "follow-up", question.id());

        Map<Long, MessageState> states = new HashMap<>();
        network.history(bob, null, 10).forEach(m -> states.put(m.id(), m.state()));
        assertEquals(MessageState.READ, states.get(question.id()));
        assertEquals(MessageState.PENDING, states.get(other.id()), "only the answered one");
        assertEquals(
                List.of("another", "follow-up"),
                network.unread(bob, 10).stream().map(Message::text).toList());
    }

    @Test
    void badSendsAreRefusedWithAnActionableError() {
        PeerId alice = join("/w");
        PeerId bob = joinNamed("bobcat");
        UnknownPeerException unknown =
                assertThrows(UnknownPeerException.class, () -> network.send(alice, "bobcar", "hi", null));
        assertTrue(unknown.suggestions().stream().anyMatch(s -> s.startsWith("bobcat")), unknown.getMessage());
        assertThrows(InvalidArgumentException.class, () -> network.send(alice, alice.value(), "me", null));
        assertThrows(MessageTooLargeException.class, () -> network.send(alice, "bobcat", "  ", null));
        assertThrows(
                MessageTooLargeException.class, () -> network.send(alice, "bobcat", "é".repeat(32 * 1024 + 1), null));
        network.send(alice, "bobcat", "é".repeat(32 * 1024), null);
        assertThrows(UnknownMessageException.class, () -> network.send(alice, "bobcat", "re", 999_999L));
        PeerId carol = join("/w");
        long carolsOwn =
                network.send(carol, bob.value(), "private", null).message().id();
        assertThrows(
                UnknownMessageException.class,
                () -> network.send(alice, "bobcat", "re", carolsOwn),
                "a reply may only point at a message the sender saw");
    }

    @Test
    void takingChangesNothingAcknowledgingDeliversReadingReads() {
        PeerId alice = join("/w");
        PeerId bob = join("/w");
        long id = network.send(alice, bob.value(), "one", null).message().id();

        assertEquals(1, network.pending(bob, 10).size());
        assertEquals(1, network.pending(bob, 10).size(), "taking twice still finds it");
        assertEquals(0, network.acknowledge(alice, List.of(id)), "only the recipient acknowledges");
        assertEquals(1, network.acknowledge(bob, List.of(id)));
        assertEquals(0, network.acknowledge(bob, List.of(id)), "acknowledging twice changes nothing");
        assertTrue(network.pending(bob, 10).isEmpty());
        assertEquals(MessageState.DELIVERED, network.message(alice, id).state(), "the sender sees delivered");
        assertEquals(1, network.unread(bob, 10).size());
        assertEquals(1, network.markRead(bob, List.of(id)));
        Message read = network.message(alice, id);
        assertEquals(MessageState.READ, read.state(), "the sender sees read");
        assertNotNull(read.deliveredAt());
        assertNotNull(read.readAt());
        assertTrue(network.unread(bob, 10).isEmpty());
    }

    @Test
    void aMessageToAPeerThatLeftWaitsAndIsDeliveredWhenItResumes() {
        Agent bobAgent = newAgent();
        PeerId alice = join("/w");
        PeerId bob = register(bobAgent, "/w").peer().id();
        network.connectionClosed(bob);

        SendResult sent = network.send(alice, bob.value(), "are you there?", null);
        assertFalse(sent.recipient().live());

        // Claude Code restarts its MCP server: new connection process, same agent.
        long newServer = NEXT_PID.incrementAndGet();
        processes.exit(bobAgent.serverPid());
        processes.start(newServer, bobAgent.agentPid(), UID, 777);
        Registration again = network.register(
                new Credentials(newServer, UID, UID),
                RegisterRequest.of("/w", ClientType.CLAUDE_CODE).withAgentPid(bobAgent.agentPid()));

        assertTrue(again.resumed());
        assertEquals(bob, again.peer().id());
        assertEquals(1, again.pending());
        assertEquals("are you there?", network.pending(bob, 10).get(0).text());
    }

    @Test
    void automaticResumeNeedsTheSameAgentClientTypeAndCwd() {
        Agent agent = newAgent();
        PeerId first = register(agent, "/w").peer().id();
        network.connectionClosed(first);
        Registration otherDir = register(agent, "/elsewhere");
        assertFalse(otherDir.resumed());
        assertNotEquals(first, otherDir.peer().id());
    }

    @Test
    void aProcessRegisteringForItselfGetsANewPeerNotItsGoneOne() {
        Agent orchestrator = newAgent();
        RegisterRequest self = RegisterRequest.of("/w", ClientType.GENERIC);
        PeerId first = network.register(orchestrator.credentials(), self).peer().id();
        network.connectionClosed(first);
        Registration second = network.register(orchestrator.credentials(), self);
        assertFalse(second.resumed(), "several peers of one process resume by secret only");
        assertNotEquals(first, second.peer().id());
    }

    @Test
    void automaticResumeDoesNotTakeAPeerOfAnotherName() {
        Agent agent = newAgent();
        PeerId reviewer = network.register(
                        agent.credentials(),
                        RegisterRequest.of("/w", ClientType.CLAUDE_CODE)
                                .withAgentPid(agent.agentPid())
                                .withName("reviewer"))
                .peer()
                .id();
        network.connectionClosed(reviewer);
        Registration other = network.register(
                agent.credentials(),
                RegisterRequest.of("/w", ClientType.CLAUDE_CODE)
                        .withAgentPid(agent.agentPid())
                        .withName("writer"));
        assertFalse(other.resumed());
        assertNotEquals(reviewer, other.peer().id());
    }

    @Test
    void explicitResumeTakesBackIdNameAndMessages() {
        Registration original = network.register(
                null, RegisterRequest.of("/w", ClientType.GENERIC).withName("orch"));
        PeerId sender = join("/w");
        PeerId orch = original.peer().id();
        assertThrows(
                ResumeRefusedException.class,
                () -> network.register(
                        null, RegisterRequest.of("/w", ClientType.GENERIC).withResumeSecret(original.resumeSecret())),
                "a live peer cannot be taken over");
        network.connectionClosed(orch);
        network.send(sender, "orch", "while you were away", null);

        Registration back = network.register(
                null, RegisterRequest.of("/other", ClientType.GENERIC).withResumeSecret(original.resumeSecret()));
        assertTrue(back.resumed());
        assertEquals(orch, back.peer().id());
        assertEquals("orch", back.peer().name());
        assertEquals(1, back.pending());
        assertNotEquals(original.resumeSecret(), back.resumeSecret(), "each registration gets a fresh secret");
        assertThrows(
                ResumeRefusedException.class,
                () -> network.register(
                        null, RegisterRequest.of("/w", ClientType.GENERIC).withResumeSecret("not-a-secret")));
    }

    @Test
    void theRateLimitIsATokenBucket() {
        stopNetwork();
        store = openStore();
        network =
                new PeerNetwork(store, processes, clock, PeersLimits.defaults().withRate(60, 5), events::addAll);
        network.start();
        PeerId alice = join("/w");
        PeerId bob = join("/w");
        for (int i = 0; i < 5; i++) {
            network.send(alice, bob.value(), "burst " + i, null);
        }
        RateLimitedException limited =
                assertThrows(RateLimitedException.class, () -> network.send(alice, bob.value(), "one too many", null));
        assertTrue(limited.retryAfterMillis() > 0 && limited.retryAfterMillis() <= 1000, limited.getMessage());
        network.send(bob, alice.value(), "others are not limited", null);
        clock.advance(Duration.ofSeconds(1));
        network.send(alice, bob.value(), "one token came back", null);
        assertEquals(6, network.pending(bob, 100).size());
    }

    @Test
    void broadcastReachesEveryPeerInScopeButTheSender() {
        PeerId alice = join("/team");
        PeerId bob = join("/team");
        PeerId carol = join("/team");
        PeerId dave = join("/elsewhere");
        List<SendResult> sent = network.broadcast(alice, Scope.DIRECTORY, "standup in 5");
        assertEquals(
                Set.of(bob, carol),
                Set.copyOf(sent.stream().map(r -> r.message().recipient()).toList()));
        assertTrue(network.pending(dave, 10).isEmpty());
        assertTrue(network.pending(alice, 10).isEmpty());
    }

    @Test
    void historyIsNewestFirstAndFiltersByPeer() {
        PeerId alice = join("/w");
        PeerId bob = joinNamed("bob");
        PeerId carol = join("/w");
        network.send(alice, "bob", "1", null);
        network.send(bob, alice.value(), "2", null);
        network.send(carol, alice.value(), "3", null);
        assertEquals(List.of("3", "2", "1"), texts(network.history(alice, null, 10)));
        assertEquals(List.of("2", "1"), texts(network.history(alice, "bob", 10)));
        assertEquals(List.of("3"), texts(network.history(alice, null, 1)));
    }

    private static List<String> texts(List<Message> messages) {
        return messages.stream().map(Message::text).toList();
    }

    @Test
    void listenersHearOfCommitsAfterTheyHappen() {
        PeerId alice = join("/w");
        PeerId bob = join("/w");
        events.clear();
        long id = network.send(alice, bob.value(), "hi", null).message().id();
        assertTrue(events.stream()
                .anyMatch(e -> e instanceof PeersEvent.MessageSent sent
                        && sent.message().id() == id));
        network.connectionClosed(bob);
        assertTrue(events.stream()
                .anyMatch(e -> e instanceof PeersEvent.PeerLeft left
                        && left.peer().id().equals(bob)));
    }

    // ------------------------------------------------------------ agent hooks

    /** A hook under an agent: the agent runs a shell, the shell runs the hook; the hook connects. */
    private Credentials hookUnder(long parentPid, int uid) {
        long shell = NEXT_PID.incrementAndGet();
        long hook = NEXT_PID.incrementAndGet();
        processes.start(shell, parentPid, uid, 300 + shell);
        processes.start(hook, shell, uid, 300 + hook);
        return new Credentials(hook, uid, uid);
    }

    @Test
    void aHookFindsThePeerOfTheAgentAboveItWithItsUnreadSenders() {
        Agent agent = newAgent();
        PeerId me = network.register(
                        agent.credentials(),
                        RegisterRequest.of("/w", ClientType.CLAUDE_CODE)
                                .withAgentPid(agent.agentPid())
                                .withName("me"))
                .peer()
                .id();
        PeerId reviewer = joinNamed("reviewer");
        PeerId alice = joinNamed("alice");
        network.send(reviewer, "me", "one", null);
        network.send(alice, "me", "two", null);
        long read = network.send(reviewer, "me", "three", null).message().id();
        network.markRead(me, List.of(read));
        network.send(reviewer, "me", "four", null);

        AgentUnread answer =
                network.agentUnread(hookUnder(agent.agentPid(), UID), false).orElseThrow();

        assertEquals(me, answer.peer().id());
        assertEquals(3, answer.unread());
        assertEquals(List.of("reviewer", "alice"), answer.senders());
        assertFalse(answer.blockStop(), "no stop asked about");
    }

    @Test
    void aProcessWithNoAgentPeerAboveItGetsNoPeer() {
        register(newAgent(), "/w");
        long unrelated = NEXT_PID.incrementAndGet();
        processes.start(unrelated, 1, UID, 5);

        assertTrue(network.agentUnread(hookUnder(unrelated, UID), true).isEmpty());
        assertTrue(
                network.agentUnread(new Credentials(NEXT_PID.incrementAndGet(), UID, UID), false)
                        .isEmpty(),
                "a process the system does not know");
    }

    @Test
    void aHookOfAnotherUidOrBelowOneGetsNothing() {
        Agent agent = newAgent();
        register(agent, "/w");

        assertTrue(
                network.agentUnread(hookUnder(agent.agentPid(), UID + 1), false).isEmpty(),
                "the hook's processes are another user's");
        Credentials hook = hookUnder(agent.agentPid(), UID);
        assertTrue(
                network.agentUnread(new Credentials(hook.pid(), UID + 1, UID + 1), false)
                        .isEmpty(),
                "the connection's uid is not the agent's");
        long sudo = NEXT_PID.incrementAndGet();
        processes.start(sudo, agent.agentPid(), 0, 9);
        assertTrue(
                network.agentUnread(hookUnder(sudo, UID), false).isEmpty(),
                "the walk stops at a process of another uid");
    }

    @Test
    void anAgentWhosePidWasReusedIsNoAncestor() {
        Agent agent = newAgent();
        register(agent, "/w");
        processes.exit(agent.agentPid());
        processes.start(agent.agentPid(), 1, UID, 42); // the same pid, another process

        assertTrue(network.agentUnread(hookUnder(agent.agentPid(), UID), false).isEmpty());
    }

    @Test
    void stopBlocksOnceForUnreadMessagesThenPassesUntilANewerOneArrives() {
        Agent agent = newAgent();
        PeerId me = register(agent, "/w").peer().id();
        PeerId bob = joinNamed("bob");
        Credentials hook = hookUnder(agent.agentPid(), UID);

        assertFalse(network.agentUnread(hook, true).orElseThrow().blockStop(), "nothing unread: no block");
        network.send(bob, me.value(), "one", null);
        network.send(bob, me.value(), "two", null);

        assertTrue(network.agentUnread(hook, true).orElseThrow().blockStop(), "the first stop blocks");
        AgentUnread again = network.agentUnread(hook, true).orElseThrow();
        assertFalse(again.blockStop(), "the same unread set passes");
        assertEquals(2, again.unread());
        assertFalse(network.agentUnread(hook, false).orElseThrow().blockStop());

        network.send(bob, me.value(), "three", null);
        assertFalse(network.agentUnread(hook, false).orElseThrow().blockStop(), "a prompt hook never blocks");
        assertTrue(network.agentUnread(hook, true).orElseThrow().blockStop(), "a newer message blocks once more");
        assertFalse(network.agentUnread(hook, true).orElseThrow().blockStop());
    }

    @Test
    void anFyiNeverBlocksAStopButIsCountedAsUnread() {
        Agent agent = newAgent();
        PeerId me = register(agent, "/w").peer().id();
        PeerId bob = joinNamed("bob");
        Credentials hook = hookUnder(agent.agentPid(), UID);

        network.send(bob, me.value(), "for your information", null, Urgency.FYI);
        AgentUnread fyiOnly = network.agentUnread(hook, true).orElseThrow();
        assertFalse(fyiOnly.blockStop(), "an fyi waits for the next check");
        assertEquals(1, fyiOnly.unread());

        network.send(bob, me.value(), "please look", null);
        assertTrue(network.agentUnread(hook, true).orElseThrow().blockStop(), "a normal message blocks");
        network.send(bob, me.value(), "and also this", null, Urgency.FYI);
        AgentUnread afterAnotherFyi = network.agentUnread(hook, true).orElseThrow();
        assertFalse(afterAnotherFyi.blockStop(), "a newer fyi does not block again");
        assertEquals(3, afterAnotherFyi.unread());
    }

    @Test
    void ofSeveralPeersOfOneAgentTheLastRegisteredAnswers() {
        Agent agent = newAgent();
        register(agent, "/w");
        clock.advance(Duration.ofSeconds(1));
        long secondServer = NEXT_PID.incrementAndGet();
        processes.start(secondServer, agent.agentPid(), UID, 7);
        PeerId second = network.register(
                        new Credentials(secondServer, UID, UID),
                        RegisterRequest.of("/w", ClientType.CLAUDE_CODE).withAgentPid(agent.agentPid()))
                .peer()
                .id();

        assertEquals(
                second,
                network.agentUnread(hookUnder(agent.agentPid(), UID), false)
                        .orElseThrow()
                        .peer()
                        .id());
    }

    // ------------------------------------------------------------ kill

    @Test
    void killEndsTheAgentOfAnotherVerifiedPeerOfTheSameUser() {
        Agent aliceAgent = newAgent();
        Agent bobAgent = newAgent();
        PeerId alice = register(aliceAgent, "/w").peer().id();
        PeerId bob = register(bobAgent, "/w").peer().id();

        assertThrows(KillRefusedException.class, () -> network.kill(alice, alice.value()));
        assertTrue(network.kill(alice, bob.value()).signalled());
        assertEquals(
                bobAgent.agentPid(), processes.terminated().get(0).pid(), "the agent, not the MCP server, is ended");
    }

    @Test
    void killIsRefusedForUnverifiedGoneOrForeignPeers() {
        PeerId alice = join("/w");
        PeerId tcp = network.register(null, RegisterRequest.of("/w", ClientType.GENERIC))
                .peer()
                .id();
        assertThrows(NotAuthorizedException.class, () -> network.kill(tcp, alice.value()));
        assertThrows(KillRefusedException.class, () -> network.kill(alice, tcp.value()));

        PeerId foreign = register(newAgent(UID + 1), "/w").peer().id();
        assertThrows(NotAuthorizedException.class, () -> network.kill(alice, foreign.value()));

        PeerId gone = join("/w");
        network.connectionClosed(gone);
        assertThrows(KillRefusedException.class, () -> network.kill(alice, gone.value()));
        assertTrue(processes.terminated().isEmpty());
    }

    @Test
    void initIsNeverAnAgentAndAnOrphanedConnectionIsNoKillTarget() {
        PeerId alice = join("/w");
        // An orphaned process (its parent gone, adopted by init) names its new parent as its agent; init
        // runs as the same user here, as in a container, so only the rule refuses it.
        processes.start(1, 0, UID, 1);
        long orphanPid = NEXT_PID.incrementAndGet();
        processes.start(orphanPid, 1, UID, 300 + orphanPid);
        assertThrows(
                AgentNotVerifiedException.class,
                () -> network.register(
                        new Credentials(orphanPid, UID, UID),
                        RegisterRequest.of("/w", ClientType.CLAUDE_CODE).withAgentPid(1L)));

        // A peer whose connection was reparented after registration: its old agent's pid may name
        // something else now (an init or a subreaper took the connection), so kill signals nothing.
        Agent adopted = newAgent();
        PeerId bob = register(adopted, "/w").peer().id();
        processes.reparent(adopted.serverPid(), 1);
        assertThrows(KillRefusedException.class, () -> network.kill(alice, bob.value()));
        assertTrue(processes.terminated().isEmpty(), "nothing was signalled");
    }

    @Test
    void anAgentProcessThatHoldsSeveralPeersIsNoKillTarget() {
        // Interactive Codex: one app-server runs the MCP servers of two sessions.
        PeerId alice = join("/w");
        Agent appServer = newAgent();
        PeerId first = network.register(
                        appServer.credentials(),
                        RegisterRequest.of("/w", ClientType.CODEX).withAgentPid(appServer.agentPid()))
                .peer()
                .id();
        long secondServer = NEXT_PID.incrementAndGet();
        processes.start(secondServer, appServer.agentPid(), UID, 700 + secondServer);
        PeerId second = network.register(
                        new Credentials(secondServer, UID, UID),
                        RegisterRequest.of("/w", ClientType.CODEX).withAgentPid(appServer.agentPid()))
                .peer()
                .id();

        KillRefusedException refused =
                assertThrows(KillRefusedException.class, () -> network.kill(alice, first.value()));
        assertTrue(refused.getMessage().contains(second.value()), refused.getMessage());
        assertTrue(processes.terminated().isEmpty(), "the shared agent was not signalled");

        network.connectionClosed(second);
        assertTrue(network.kill(alice, first.value()).signalled(), "once it holds one peer, it is that peer's agent");
    }

    // ------------------------------------------------------------ sweep and start

    @Test
    void theSweepMarksDeadPeersGoneAndReportsOrphans() {
        Agent dies = newAgent();
        Agent orphaned = newAgent();
        Agent healthy = newAgent();
        PeerId dead = register(dies, "/w").peer().id();
        PeerId orphan = register(orphaned, "/w").peer().id();
        PeerId fine = register(healthy, "/w").peer().id();
        processes.exit(dies.serverPid());
        processes.exit(orphaned.agentPid());
        processes.reparent(orphaned.serverPid(), 1);

        SweepReport report = network.sweep();
        assertEquals(List.of(dead), report.wentGone().stream().map(Peer::id).toList());
        assertEquals(List.of(orphan), report.orphans().stream().map(Peer::id).toList());
        assertEquals(0, report.terminatedOrphans(), "orphans are only reported unless configured");
        assertFalse(network.find(dead).orElseThrow().live());
        assertFalse(network.find(orphan).orElseThrow().live());
        assertTrue(network.find(fine).orElseThrow().live());
    }

    @Test
    void aConnectionTakenByASubreaperWhileItsAgentLivesIsAnOrphanNotAKillTarget() {
        PeerId alice = join("/w");
        Agent agent = newAgent();
        PeerId bob = register(agent, "/w").peer().id();
        // The MCP server double-forked away (or its parent handed it over): a subreaper adopted it while
        // the agent still runs. Neither the agent nor the subreaper is the process bob stands for now.
        long subreaper = NEXT_PID.incrementAndGet();
        processes.start(subreaper, 1, UID, 400 + subreaper);
        processes.reparent(agent.serverPid(), subreaper);

        SweepReport report = network.sweep();

        assertEquals(List.of(bob), report.orphans().stream().map(Peer::id).toList(), "seen while it lives");
        assertFalse(network.find(bob).orElseThrow().live());
        assertThrows(KillRefusedException.class, () -> network.kill(alice, bob.value()));
        assertTrue(processes.terminated().isEmpty(), "neither the subreaper nor the agent was signalled");
    }

    @Test
    void aProcessThatAdoptsOrphansIsNeverAnAgentAndTheBrokerIsNeverAKillTarget() {
        // systemd --user, or a container's init: an orphan adopted by it would name it as its agent.
        long adopter = NEXT_PID.incrementAndGet();
        processes.startAdopter(adopter, 1, UID, 500 + adopter);
        long adopted = NEXT_PID.incrementAndGet();
        processes.start(adopted, adopter, UID, 500 + adopted);
        assertThrows(
                AgentNotVerifiedException.class,
                () -> network.register(
                        new Credentials(adopted, UID, UID),
                        RegisterRequest.of("/w", ClientType.CLAUDE_CODE).withAgentPid(adopter)));

        // An orchestrator that embeds the broker and runs its agents' MCP servers as its children.
        PeerId alice = join("/w");
        long broker = ProcessHandle.current().pid();
        processes.start(broker, 1, UID, 600);
        long server = NEXT_PID.incrementAndGet();
        processes.start(server, broker, UID, 600 + server);
        PeerId child = network.register(
                        new Credentials(server, UID, UID),
                        RegisterRequest.of("/w", ClientType.GENERIC).withAgentPid(broker))
                .peer()
                .id();
        assertThrows(KillRefusedException.class, () -> network.kill(alice, child.value()));
        assertTrue(processes.terminated().isEmpty(), "the broker's own process was not signalled");
    }

    @Test
    void aReusedPidIsAnotherProcess() {
        Agent agent = newAgent();
        PeerId peer = register(agent, "/w").peer().id();
        processes.exit(agent.serverPid());
        processes.start(agent.serverPid(), agent.agentPid(), UID, 999_999);
        assertEquals(
                List.of(peer), network.sweep().wentGone().stream().map(Peer::id).toList());
    }

    @Test
    void orphansAreTerminatedWhenConfigured() {
        stopNetwork();
        store = openStore();
        network = new PeerNetwork(store, processes, clock, limits().withTerminateOrphans(true), events::addAll);
        network.start();
        Agent orphaned = newAgent();
        register(orphaned, "/w");
        processes.exit(orphaned.agentPid());
        assertEquals(1, network.sweep().terminatedOrphans());
        assertEquals(orphaned.serverPid(), processes.terminated().get(0).pid());
    }

    @Test
    void pendingMessagesOfAPeerGoneTooLongBecomeUndeliverableAndTheSenderIsTold() {
        PeerId alice = join("/w");
        Registration bobRegistration = network.register(null, RegisterRequest.of("/w", ClientType.GENERIC));
        PeerId bob = bobRegistration.peer().id();
        network.connectionClosed(bob);
        long id = network.send(alice, bob.value(), "hello?", null).message().id();

        assertEquals(0, network.sweep().undeliverable(), "still within the grace period");
        clock.advance(limits().nameGrace().plusMinutes(1));
        assertEquals(1, network.sweep().undeliverable());
        assertEquals(MessageState.UNDELIVERABLE, network.message(alice, id).state());
        Message notice = network.pending(alice, 10).get(0);
        assertEquals(PeerId.BROKER, notice.sender());
        assertEquals(id, notice.replyTo());
        assertTrue(notice.text().contains("could not be delivered"), notice.text());

        Registration back = network.register(
                null, RegisterRequest.of("/w", ClientType.GENERIC).withResumeSecret(bobRegistration.resumeSecret()));
        assertEquals(1, back.pending(), "undeliverable messages go out again when the peer resumes");
        assertEquals(MessageState.PENDING, network.message(alice, id).state());
    }

    @Test
    void retentionPrunesOnlyFinishedMessagesAndOldGonePeers() {
        PeerId alice = join("/w");
        PeerId bob = join("/w");
        long read = network.send(alice, bob.value(), "read", null).message().id();
        long unread = network.send(alice, bob.value(), "delivered, unread", null)
                .message()
                .id();
        network.acknowledge(bob, List.of(unread));
        network.markRead(bob, List.of(read));
        network.connectionClosed(bob);
        PeerId idle = join("/w");
        network.connectionClosed(idle);

        clock.advance(limits().retention().plusDays(1));
        SweepReport report = network.sweep();
        assertEquals(1, report.prunedMessages());
        assertThrows(UnknownMessageException.class, () -> network.message(alice, read));
        assertEquals(MessageState.DELIVERED, network.message(alice, unread).state(), "delivered-unread is kept");
        assertTrue(network.find(bob).isPresent(), "a peer with an unread message is kept");
        assertTrue(network.find(idle).isEmpty(), "an old gone peer with nothing waiting is pruned");
        assertTrue(report.prunedPeers() >= 1);
    }

    @Test
    void startingAgainMarksPeersOfThePreviousRunGone() {
        PeerId alice = joinNamed("alice");
        network.close();
        network = new PeerNetwork(store, processes, clock, limits(), events::addAll);
        assertEquals(1, network.start());
        assertFalse(network.find(alice).orElseThrow().live());
        assertEquals(alice, network.resolve("alice").id(), "its name stays reserved");
    }

    // ------------------------------------------------------------ concurrency

    @Test
    void concurrentSendersLoseAndDuplicateNothing() throws Exception {
        int senders = 8;
        int perSender = 150;
        PeerId inbox = join("/w");
        List<PeerId> from = new ArrayList<>();
        for (int i = 0; i < senders; i++) {
            from.add(join("/w"));
        }
        ExecutorService pool = Executors.newFixedThreadPool(senders);
        try {
            List<Future<List<Long>>> futures = new ArrayList<>();
            for (PeerId sender : from) {
                futures.add(pool.submit(() -> {
                    List<Long> ids = new ArrayList<>();
                    for (int i = 0; i < perSender; i++) {
                        ids.add(network.send(sender, inbox.value(), sender + "#" + i, null)
                                .message()
                                .id());
                    }
                    return ids;
                }));
            }
            Set<Long> acknowledged = new HashSet<>();
            for (Future<List<Long>> future : futures) {
                acknowledged.addAll(future.get(60, TimeUnit.SECONDS));
            }
            assertEquals(senders * perSender, acknowledged.size(), "every send got its own id");
            List<Message> stored = network.pending(inbox, 10_000);
            assertEquals(senders * perSender, stored.size());
            assertEquals(
                    acknowledged, Set.copyOf(stored.stream().map(Message::id).toList()));
            Set<String> texts = new HashSet<>(texts(stored));
            assertEquals(senders * perSender, texts.size(), "no text twice");
        } finally {
            pool.shutdownNow();
        }
    }
}
