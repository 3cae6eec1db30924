package io.agentpeers.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.agentpeers.cli.CliContext;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code peers demo} in this JVM: two agents talk on a temporary broker, then everything is cleaned up. */
class DemoCommandTest {
    @TempDir
    Path home;

    @Test
    void theDemoRunsToItsEndAndCleansUp() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Path peersHome = home.resolve("p");
        CliContext context = new CliContext(
                Map.of("HOME", home.toString(), "PEERS_HOME", peersHome.toString()),
                home,
                home,
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8),
                InputStream.nullInputStream(),
                Main.class.getName());

        int exit = Main.commandLine(context).execute("demo");

        String text = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, exit, text + err.toString(StandardCharsets.UTF_8));
        assertTrue(text.contains("bob was pushed"), text);
        assertTrue(text.contains("\n   and answered with #2 (a reply to #1)"), "on a line of its own: " + text);
        assertFalse(text.contains("\\n"), "no line break shown as the text \\n: " + text);
        assertTrue(text.contains("alice waited"), text);
        String folder = text.lines()
                .filter(l -> l.startsWith("done"))
                .findFirst()
                .orElseThrow()
                .replaceAll(".* and (\\S+) is deleted.*", "$1");
        assertTrue(folder.contains("peers-demo-"), text);
        assertFalse(Files.exists(Path.of(folder)), "the demo deleted " + folder);
        assertFalse(Files.exists(peersHome), "the demo touched nothing in PEERS_HOME");
    }

    @Test
    void withJsonTheDemoPrintsOneDocument() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        CliContext context = new CliContext(
                Map.of("HOME", home.toString(), "PEERS_HOME", home.resolve("p").toString()),
                home,
                home,
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                InputStream.nullInputStream(),
                Main.class.getName());

        int exit = Main.commandLine(context).execute("--json", "demo");

        String text = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, exit, text);
        JsonNode demo = new ObjectMapper().readTree(text);
        assertEquals(9, demo.path("steps").size(), text);
        assertTrue(demo.path("deleted").asBoolean(), text);
        assertEquals(
                "Could you review my parser change?",
                demo.path("steps").get(6).path("messages").get(1).path("text").asText(),
                text);
    }
}
