package io.agentpeers.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentpeers.protocol.client.PeersClient;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code peers dashboard}: asks the broker to serve the browser dashboard (loopback only) and prints a
 * link with a one-time token; on a desktop it also opens the link. The dashboard's actions run as the
 * person's CLI peer, so this command registers it first, as every command that acts as the person does.
 */
@Command(
        name = "dashboard",
        description = "Serve the live dashboard in the browser (127.0.0.1 only) and print a one-time link to it.")
final class DashboardCommand extends BaseCommand {
    @Option(
            names = "--port",
            paramLabel = "PORT",
            description = "The loopback port to serve on (default: one the system chooses).")
    Integer port;

    @Option(names = "--no-open", description = "Print the link only; do not open a browser.")
    boolean noOpen;

    @Override
    protected int run() {
        if (port != null && (port < 1 || port > 65_535)) {
            throw new CliFailure("--port must be between 1 and 65535");
        }
        ObjectNode params = JsonNodeFactory.instance.objectNode();
        if (port != null) {
            params.put("port", port);
        }
        JsonNode answer;
        try (PeersClient client = connectAsPerson()) {
            answer = client.call("dashboard", params, JsonNode.class);
        }
        String url = answer.path("url").asText();
        if (json) {
            terminal().json(answer);
        } else {
            terminal().println(url);
            context()
                    .err()
                    .println(
                            "the link works once (it sets a session cookie in the browser that opens it); the dashboard"
                                    + " acts as " + answer.path("acting_as").asText()
                                    + " and serves until the broker stops");
        }
        if (!noOpen) {
            openOnDesktop(url);
        }
        return 0;
    }

    /** Opens {@code url} with the desktop's opener, only when a desktop session is there. */
    private void openOnDesktop(String url) {
        Map<String, String> env = context().env();
        boolean mac = System.getProperty("os.name", "").startsWith("Mac");
        boolean desktop = mac || present(env.get("DISPLAY")) || present(env.get("WAYLAND_DISPLAY"));
        Path opener = desktop ? onPath(env, mac ? "open" : "xdg-open") : null;
        if (opener == null) {
            return;
        }
        try {
            new ProcessBuilder(opener.toString(), url)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
        } catch (IOException e) {
            context().err().println("peers: could not open a browser (" + e.getMessage() + "); open the link yourself");
        }
    }

    private static boolean present(String value) {
        return value != null && !value.isBlank();
    }

    private static Path onPath(Map<String, String> env, String name) {
        for (String dir : env.getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, name))) {
                return Path.of(dir, name);
            }
        }
        return null;
    }
}
