package io.agentpeers.app;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The broker processes of this machine, from {@code /proc}: a process runs a broker when its arguments
 * hold {@code broker run}, and it belongs to a test when its {@code PEERS_HOME} lies in the test's folder.
 * The JDK's {@code ProcessHandle.Info.commandLine()} gives up on a command line as long as a test's class
 * path, so the arguments are read from {@code /proc/<pid>/cmdline}.
 */
public final class BrokerProcesses {
    private static final Path PROC = Path.of("/proc");

    private BrokerProcesses() {}

    /** The broker processes whose {@code PEERS_HOME} lies in one of {@code folders}. */
    public static List<ProcessHandle> under(List<Path> folders) {
        if (folders.isEmpty() || !Files.isDirectory(PROC)) {
            return List.of();
        }
        List<Path> absolute = folders.stream().map(Path::toAbsolutePath).toList();
        return ProcessHandle.allProcesses()
                .filter(process -> isBroker(process.pid()) && homeUnder(process.pid(), absolute))
                .toList();
    }

    /** Whether process {@code pid} runs {@code ... broker run}. */
    public static boolean isBroker(long pid) {
        return read(pid, "cmdline").contains("\0broker\0run");
    }

    private static boolean homeUnder(long pid, List<Path> folders) {
        for (String variable : read(pid, "environ").split("\0")) {
            if (variable.startsWith("PEERS_HOME=")) {
                Path home = Path.of(variable.substring("PEERS_HOME=".length())).toAbsolutePath();
                return folders.stream().anyMatch(home::startsWith);
            }
        }
        return false;
    }

    private static String read(long pid, String file) {
        try {
            return new String(
                    Files.readAllBytes(PROC.resolve(Long.toString(pid)).resolve(file)), StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }
}
