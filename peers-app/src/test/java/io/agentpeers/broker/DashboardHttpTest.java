package io.agentpeers.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.agentpeers.core.ClientType;
import io.agentpeers.core.NotAuthorizedException;
import io.agentpeers.core.RegisterRequest;
import io.agentpeers.protocol.Envelope;
import io.agentpeers.protocol.client.PeersClient;
import io.agentpeers.protocol.wire.WireJson;
import io.agentpeers.store.memory.InMemoryPeerStore;
import io.agentpeers.testkit.Await;
import io.agentpeers.transport.unix.UnixSocketConnector;
import io.agentpeers.transport.unix.UnixSocketListener;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard's HTTP checks against a real broker on a Unix socket, with raw HTTP over loopback (no
 * browser): the token is spent once for a session cookie, and every request without that cookie, or
 * with another Host or Origin, is refused before it reaches the network.
 */
class DashboardHttpTest {
    @TempDir
    Path dir;

    private InMemoryPeerStore store;
    private PeersBroker broker;
    private final List<PeersClient> clients = new ArrayList<>();
    private PeersClient alice;
    private PeersClient bob;
    private URI login;

    @BeforeEach
    void start() {
        store = new InMemoryPeerStore();
        broker = PeersBroker.builder()
                .listen(new UnixSocketListener(dir.resolve("peers.sock")))
                .store(store)
                .start();
        alice = peer("alice", ClientType.GENERIC);
        bob = peer("bob", ClientType.GENERIC);
        PeersClient person = peer("person", ClientType.CLI);
        login = URI.create(person.call("dashboard", JsonNodeFactory.instance.objectNode(), JsonNode.class)
                .path("url")
                .asText());
        // As after `peers dashboard`: the command ends and lets go of the CLI peer.
        person.close();
        Await.until(
                Duration.ofSeconds(5),
                () -> broker.network().livePeers().stream().noneMatch(p -> "person".equals(p.name())),
                "the CLI peer goes when its command's connection closes");
    }

    @AfterEach
    void stop() {
        clients.forEach(PeersClient::close);
        broker.close();
        store.close();
    }

    private PeersClient peer(String name, ClientType type) {
        PeersClient client = PeersClient.connect(new UnixSocketConnector(dir.resolve("peers.sock")));
        clients.add(client);
        client.register(RegisterRequest.of(dir.toString(), type).withName(name));
        return client;
    }

    @Test
    void theLinkIsServedOnLoopbackWithATokenThatWorksOnce() throws IOException {
        assertEquals("http", login.getScheme());
        assertEquals(InetAddress.getLoopbackAddress().getHostAddress(), login.getHost());
        Reply first = get(login.getRawPath() + "?" + login.getRawQuery(), Map.of());
        assertEquals(303, first.status);
        assertEquals("/", first.header("location"));
        String cookie = first.header("set-cookie");
        assertNotNull(cookie, "the token buys a session cookie");
        assertTrue(cookie.contains("HttpOnly"), cookie);
        assertTrue(cookie.contains("SameSite=Strict"), cookie);
        assertTrue(cookie.contains("Path=/"), cookie);
        assertEquals("no-store", first.header("cache-control"), "the token link is never cached");

        Reply again = get(login.getRawPath() + "?" + login.getRawQuery(), Map.of());
        assertEquals(403, again.status, "a spent token buys nothing");
        assertEquals(null, again.header("set-cookie"));
        Reply made = get("/?token=made-up", Map.of());
        assertEquals(403, made.status);
    }

    @Test
    void withoutTheCookieNothingIsServed() throws IOException {
        assertEquals(401, get("/", Map.of()).status);
        assertEquals(401, get("/api/state", Map.of()).status);
        assertEquals(401, get("/api/events", Map.of()).status);
        assertEquals(401, get("/app.js", Map.of()).status);
        assertEquals(401, get("/api/state", Map.of("Cookie", "peers_session=forged")).status);
        Reply post = post("/api/send", cookieless(), "{\"to\":\"bob\",\"text\":\"hi\"}");
        assertEquals(401, post.status);
        assertTrue(bob.unread(10).isEmpty(), "nothing was sent");
    }

    @Test
    void withTheCookieThePageAndStateAreServedWithStrictHeaders() throws IOException {
        String cookie = signIn();
        Reply page = get("/", Map.of("Cookie", cookie));
        assertEquals(200, page.status);
        assertTrue(page.header("content-security-policy").contains("script-src 'self'"));
        assertFalse(page.header("content-security-policy").contains("unsafe-inline"));
        assertEquals("nosniff", page.header("x-content-type-options"));
        assertTrue(page.body.contains("<script src=\"/app.js\""), "the script is a file of its own");
        assertFalse(page.body.contains("<script>"), "no inline script");

        alice.send("bob", "<script>alert(1)</script>");
        Reply state = get("/api/state", Map.of("Cookie", cookie));
        assertEquals(200, state.status);
        JsonNode json = WireJson.mapper().readTree(state.body);
        List<String> names = new ArrayList<>();
        json.path("peers").forEach(p -> names.add(p.path("name").asText()));
        assertTrue(names.containsAll(List.of("alice", "bob")), names.toString());
        assertEquals("person", json.path("acting_as").asText());
        assertEquals(
                "<script>alert(1)</script>",
                json.path("messages").get(0).path("text").asText());
        assertTrue(json.path("broker").path("uptime_ms").isNumber());
    }

    @Test
    void anotherHostIsRefusedEvenWithTheCookie() throws IOException {
        String cookie = signIn();
        // DNS rebinding: a foreign name that resolves to 127.0.0.1 still sends its own Host.
        assertEquals(
                403, get("/api/state", Map.of("Cookie", cookie, "Host", "evil.example:" + login.getPort())).status);
        assertEquals(403, get("/api/state", Map.of("Cookie", cookie, "Host", "127.0.0.1:1")).status);
    }

    @Test
    void anotherOriginIsRefusedAndNothingIsSent() throws IOException {
        String cookie = signIn();
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Cookie", cookie);
        headers.put("Origin", "http://evil.example");
        headers.put("Content-Type", "application/json");
        Reply reply = post("/api/send", headers, "{\"to\":\"bob\",\"text\":\"from elsewhere\"}");
        assertEquals(403, reply.status);
        assertEquals(403, get("/api/state", Map.of("Cookie", cookie, "Origin", "http://evil.example")).status);
        headers.put("Origin", origin());
        headers.put("Sec-Fetch-Site", "cross-site");
        assertEquals(403, post("/api/send", headers, "{\"to\":\"bob\",\"text\":\"x\"}").status);
        assertTrue(bob.unread(10).isEmpty(), "nothing was sent");
    }

    @Test
    void aFormPostIsRefused() throws IOException {
        String cookie = signIn();
        Map<String, String> headers =
                Map.of("Cookie", cookie, "Origin", origin(), "Content-Type", "application/x-www-form-urlencoded");
        assertEquals(415, post("/api/send", headers, "to=bob&text=hi").status);
        assertTrue(bob.unread(10).isEmpty());
    }

    @Test
    void sendingFromThePageReachesThePeerAsThePersonsCliPeer() throws IOException {
        String cookie = signIn();
        Map<String, String> headers = Map.of("Cookie", cookie, "Origin", origin(), "Content-Type", "application/json");
        Reply reply = post("/api/send", headers, "{\"to\":\"bob\",\"text\":\"hello from the page\"}");
        assertEquals(200, reply.status, reply.body);
        List<Envelope> unread = bob.unread(10);
        assertEquals(1, unread.size());
        assertEquals("hello from the page", unread.get(0).message().text());
        assertEquals("person", unread.get(0).sender().name());

        bob.send("person", "answer");
        Reply read = post("/api/read", headers, "{}");
        assertEquals(200, read.status, read.body);
        assertEquals(1, WireJson.mapper().readTree(read.body).path("read").asInt());

        Reply bad = post("/api/send", headers, "{\"to\":\"nobody-here\",\"text\":\"x\"}");
        assertEquals(409, bad.status);
        assertEquals(
                "unknown_peer",
                WireJson.mapper().readTree(bad.body).path("error").path("code").asText());
        Reply empty = post("/api/send", headers, "{\"to\":\"bob\"}");
        assertEquals(400, empty.status);
    }

    @Test
    void theEventStreamStartsWithTheStateAndCarriesNewMessages() throws IOException {
        String cookie = signIn();
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), login.getPort())) {
            socket.setSoTimeout(5_000);
            write(socket, "GET /api/events HTTP/1.1\r\nHost: " + host() + "\r\nCookie: " + cookie + "\r\n\r\n");
            BufferedReader in =
                    new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            assertTrue(in.readLine().startsWith("HTTP/1.1 200"));
            assertTrue(readUntil(in, "event: state"), "the stream opens with the state");
            alice.send("bob", "live one");
            String line;
            boolean seen = false;
            for (int i = 0; i < 200 && (line = in.readLine()) != null; i++) {
                if (line.startsWith("data:") && line.contains("\"message_sent\"") && line.contains("live one")) {
                    seen = true;
                    break;
                }
            }
            assertTrue(seen, "the message came down the stream");
        }
    }

    @Test
    void onlyACliPeerMayAskForTheDashboard() {
        assertThrows(
                NotAuthorizedException.class,
                () -> alice.call("dashboard", JsonNodeFactory.instance.objectNode(), JsonNode.class));
    }

    // ------------------------------------------------------------ raw HTTP

    private record Reply(int status, Map<String, String> headers, String body) {
        String header(String name) {
            return headers.get(name);
        }
    }

    private String host() {
        return login.getHost() + ":" + login.getPort();
    }

    private String origin() {
        return "http://" + host();
    }

    private static Map<String, String> cookieless() {
        return Map.of("Content-Type", "application/json");
    }

    private String signIn() throws IOException {
        Reply reply = get(login.getRawPath() + "?" + login.getRawQuery(), Map.of());
        assertEquals(303, reply.status);
        return reply.header("set-cookie").split(";")[0];
    }

    private Reply get(String path, Map<String, String> headers) throws IOException {
        return request("GET", path, headers, null);
    }

    private Reply post(String path, Map<String, String> headers, String body) throws IOException {
        return request("POST", path, headers, body);
    }

    private Reply request(String method, String path, Map<String, String> headers, String body) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), login.getPort())) {
            socket.setSoTimeout(10_000);
            StringBuilder head = new StringBuilder(method + " " + path + " HTTP/1.1\r\n");
            if (!headers.containsKey("Host")) {
                head.append("Host: ").append(host()).append("\r\n");
            }
            headers.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
            byte[] bytes = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
            head.append("Content-Length: ").append(bytes.length).append("\r\n");
            head.append("Connection: close\r\n\r\n");
            OutputStream out = socket.getOutputStream();
            out.write(head.toString().getBytes(StandardCharsets.UTF_8));
            out.write(bytes);
            out.flush();
            String raw = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int split = raw.indexOf("\r\n\r\n");
            String[] lines = raw.substring(0, split).split("\r\n");
            Map<String, String> replyHeaders = new LinkedHashMap<>();
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                replyHeaders.put(
                        lines[i].substring(0, colon).strip().toLowerCase(java.util.Locale.ROOT),
                        lines[i].substring(colon + 1).strip());
            }
            return new Reply(Integer.parseInt(lines[0].split(" ")[1]), replyHeaders, raw.substring(split + 4));
        }
    }

    private static void write(Socket socket, String text) throws IOException {
        socket.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
        socket.getOutputStream().flush();
    }

    private static boolean readUntil(BufferedReader in, String wanted) throws IOException {
        String line;
        for (int i = 0; i < 200 && (line = in.readLine()) != null; i++) {
            if (line.equals(wanted)) {
                return true;
            }
        }
        return false;
    }
}
