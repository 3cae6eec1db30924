package io.agentpeers.clients;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agentpeers.app.EndsStrayBrokers;
import io.agentpeers.broker.PeersBroker;
import io.agentpeers.clients.FakeResponsesApi.Step;
import io.agentpeers.core.ClientType;
import io.agentpeers.core.RegisterRequest;
import io.agentpeers.core.Scope;
import io.agentpeers.protocol.Envelope;
import io.agentpeers.protocol.PeerInfo;
import io.agentpeers.protocol.client.ClientOptions;
import io.agentpeers.protocol.client.PeersClient;
import io.agentpeers.store.memory.InMemoryPeerStore;
import io.agentpeers.transport.unix.UnixSocketConnector;
import io.agentpeers.transport.unix.UnixSocketListener;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real Codex ({@code codex exec}, pinned in {@link AgentClients}) with the entry {@code peers install codex}
 * wrote, against a scripted model ({@link FakeResponsesApi}): it runs the read-only tools and send_message
 * without an approval prompt (exec cannot ask: a call that needs approval fails), wait_for_messages returns a
 * message sent meanwhile, and kill_peer is refused, its target left alive. Everything runs in temporary
 * folders: HOME, CODEX_HOME, PEERS_HOME and the broker (in this JVM).
 */
@Tag("clients")
@ExtendWith(EndsStrayBrokers.class)
class CodexExecTest {
    private static final List<String> JVM_OPTIONS =
            List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xshare:auto", "-Xlog:disable");
    private static final long CODEX_SECONDS = 180;
    private static final String HELLO = "hello from codex";
    private static final String REPLY = "reply from bob, sent while codex waits";

    @TempDir
    Path home;

    @TempDir
    Path peersHome;

    @Test
    void codexExecRunsThePeersToolsWithoutApprovalButNotKillPeer() throws Exception {
        Path codex = AgentClients.codex();
        Path codexHome = Files.createDirectories(home.resolve(".codex"));
        Path work = Files.createDirectories(home.resolve("work"));
        List<Step> script = List.of(
                Step.call("list_peers", Map.of("scope", "machine")),
                Step.call("whoami", Map.of()),
                Step.call("send_message", Map.of("to_id", "bob", "message", HELLO)),
                Step.call("wait_for_messages", Map.of("timeout_seconds", 40)),
                Step.call("kill_peer", Map.of("peer_id", "victim")),
                Step.say("all done"));
        List<Process> started = new ArrayList<>();
        try (FakeResponsesApi model = FakeResponsesApi.start(script);
                PeersBroker broker = PeersBroker.builder()
                        .listen(new UnixSocketListener(peersHome.resolve("peers.sock")))
                        .store(new InMemoryPeerStore())
                        .sweepInterval(Duration.ofMinutes(10))
                        .start();
                PeersClient bob = peer("bob")) {
            // Top-level keys first: the installer appends its table after everything there is.
            Files.writeString(codexHome.resolve("config.toml"), """
                    model = "fake-model"
                    model_provider = "fake"

                    [model_providers.fake]
                    name = "fake"
                    base_url = "%s"
                    wire_api = "responses"
                    env_key = "FAKE_OPENAI_KEY"
                    """.formatted(model.baseUrl()));
            String installed = AgentClients.installCodex(home, peersHome, codexHome);
            assertTrue(installed.contains("kill_peer always asks"), installed);

            Process victim = start(started, victimCommand(), home.resolve("victim.err"));
            PeerInfo target = awaitPeer(bob, "victim");
            assertEquals(victim.pid(), target.agentPid(), "the victim's agent is its shell");

            CompletableFuture<Envelope> hello = CompletableFuture.supplyAsync(() -> {
                List<Envelope> got = bob.waitForMessages(Duration.ofSeconds(CODEX_SECONDS), 10);
                return got.isEmpty() ? null : got.get(0);
            });
            CompletableFuture<Void> replied = model.sent(3).thenRunAsync(() -> {
                try {
                    Thread.sleep(1000); // the call is on its way: the reply comes while it waits
                    bob.send(hello.get(30, TimeUnit.SECONDS).message().sender().value(), REPLY);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });

            ProcessBuilder exec = new ProcessBuilder(
                            codex.toString(),
                            "exec",
                            "--skip-git-repo-check",
                            "-C",
                            work.toString(),
                            "Talk to the other agents.")
                    .directory(work.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(home.resolve("codex.out").toFile())
                    .redirectError(home.resolve("codex.err").toFile());
            exec.environment().clear();
            exec.environment()
                    .putAll(Map.of(
                            "HOME", home.toString(),
                            "CODEX_HOME", codexHome.toString(),
                            "PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"),
                            "FAKE_OPENAI_KEY", "not-a-key"));
            Process run = start(started, exec);
            boolean ended = run.waitFor(CODEX_SECONDS, TimeUnit.SECONDS);
            String said = "codex stdout:\n" + Files.readString(home.resolve("codex.out")) + "\ncodex stderr:\n"
                    + tail(Files.readString(home.resolve("codex.err")));
            assertTrue(ended, "codex exec ended within " + CODEX_SECONDS + " s; " + said);
            assertEquals(0, run.exitValue(), said);
            assertEquals(script.size(), model.requests().size(), "one model request per step; " + said);

            String listed = model.outputOf(0);
            assertNotNull(listed, said);
            assertTrue(listed.contains("bob") && listed.contains("victim"), listed);
            assertTrue(model.outputOf(1).contains("a codex peer"), model.outputOf(1));
            assertTrue(model.outputOf(2).contains("sent to bob"), model.outputOf(2));
            Envelope arrived = hello.get(10, TimeUnit.SECONDS);
            assertNotNull(arrived, "bob got codex's message");
            assertEquals(HELLO, arrived.message().text());
            replied.get(10, TimeUnit.SECONDS);
            assertTrue(model.outputOf(3).contains(REPLY), "wait_for_messages returned the reply: " + model.outputOf(3));
            for (int i = 0; i < 4; i++) {
                assertFalse(model.outputOf(i).contains("requires approval"), model.outputOf(i));
            }

            String kill = model.outputOf(4);
            assertTrue(kill.contains("requires approval"), "kill_peer needs approval: " + kill);
            assertTrue(victim.isAlive(), "nothing was killed");
            assertTrue(
                    bob.listPeers(Scope.MACHINE).stream().anyMatch(p -> "victim".equals(p.name()) && p.live()),
                    "the victim is still connected");
        } finally {
            for (Process process : started) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    /**
     * A peer whose agent is a shell of its own, the kill_peer target: {@code sleep | peers mcp} keeps the server's
     * stdin open, and the server registers after a short while without a client's initialize.
     */
    private ProcessBuilder victimCommand() {
        List<String> mcp = new ArrayList<>(List.of(AgentClients.java()));
        mcp.addAll(JVM_OPTIONS);
        mcp.addAll(List.of("-cp", System.getProperty("java.class.path"), io.agentpeers.app.Main.class.getName()));
        mcp.addAll(List.of("mcp", "--client-type", "generic", "--name", "victim"));
        String line = "sleep 600 | "
                + String.join(" ", mcp.stream().map(AgentClients::quoted).toList());
        ProcessBuilder builder = new ProcessBuilder("/bin/sh", "-c", line).directory(home.toFile());
        builder.environment().put("PEERS_HOME", peersHome.toString());
        builder.environment().put("HOME", home.toString());
        return builder;
    }

    private static Process start(List<Process> started, ProcessBuilder builder, Path stderr) throws Exception {
        return start(
                started,
                builder.redirectError(stderr.toFile())
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))));
    }

    private static Process start(List<Process> started, ProcessBuilder builder) throws Exception {
        Process process = builder.start();
        started.add(process);
        return process;
    }

    private PeersClient peer(String name) {
        PeersClient client = PeersClient.connect(
                new UnixSocketConnector(peersHome.resolve("peers.sock")),
                ClientOptions.defaults().withClientName("codex-test").withRequestTimeout(Duration.ofSeconds(30)));
        client.register(RegisterRequest.of(home.toString(), ClientType.GENERIC).withName(name));
        return client;
    }

    private static PeerInfo awaitPeer(PeersClient client, String name) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            for (PeerInfo peer : client.listPeers(Scope.MACHINE)) {
                if (name.equals(peer.name()) && peer.live()) {
                    return peer;
                }
            }
            Thread.sleep(200);
        }
        throw new AssertionError(name + " did not register within 60 s");
    }

    private static String tail(String text) {
        return text.length() <= 4000 ? text : "..." + text.substring(text.length() - 4000);
    }
}
