package io.agentpeers.mcp;

import io.agentpeers.core.PeersException;
import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.OutputStream;

/**
 * {@code java -cp ... io.agentpeers.mcp.McpMain [--client-type claude-code|codex|generic] [--name NAME]}:
 * the MCP server as a program of its own (the app's {@code peers mcp} calls {@link PeersMcp#run} the
 * same way). The environment says where the broker is ({@code PEERS_HOME}, {@code PEERS_SOCKET},
 * {@code PEERS_TCP_URL} ...); a missing broker is started on this JVM's class path.
 */
public final class McpMain {
    private static final String USAGE = "usage: McpMain [--client-type claude-code|codex|generic] [--name NAME]";

    private McpMain() {
    }

    public static void main(String[] args) {
        // The descriptor itself, not System.out: a PrintStream would hide a broken pipe.
        OutputStream protocol = new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 64 * 1024);
        System.setOut(System.err);
        String clientType = "claude-code";
        String name = null;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--client-type") && i + 1 < args.length) {
                clientType = args[++i];
            } else if (arg.startsWith("--client-type=")) {
                clientType = arg.substring("--client-type=".length());
            } else if (arg.equals("--name") && i + 1 < args.length) {
                name = args[++i];
            } else if (arg.startsWith("--name=")) {
                name = arg.substring("--name=".length());
            } else if (arg.equals("--help") || arg.equals("-h")) {
                System.err.println(USAGE);
                System.exit(0);
            } else {
                System.err.println("peers mcp: unknown argument '" + arg + "'\n" + USAGE);
                System.exit(2);
            }
        }
        McpSettings settings;
        try {
            settings = McpSettings.fromEnvironment(clientType, name);
        } catch (PeersException e) {
            System.err.println("peers mcp: " + e.getMessage());
            System.exit(2);
            return;
        }
        System.exit(PeersMcp.run(settings, new FileInputStream(FileDescriptor.in), protocol));
    }
}
