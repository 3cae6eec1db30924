package io.agentpeers.app;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * How the process tests start the app in a child JVM. Under failsafe, which runs after {@code package}, that is
 * the shaded jar with the class-data archive the build made for it, as the {@code peers} launcher runs it: a
 * child then maps its classes instead of loading some 2,000 from the class path's folders (about a third of a
 * second less per child here, and the process tests start well over a hundred), and the tests exercise the
 * artifact users run. Without the jar (a test run from an IDE), the test class path; without a current
 * archive (a build with {@code -Dpeers.cds.skip=true} leaves the old one behind), the jar alone.
 */
public final class AppJvm {
    /** Set by failsafe (peers-app/pom.xml) to the jar {@code package} built. */
    static final String JAR_PROPERTY = "peers.app.jar";

    /** The options of every child JVM of the tests: the launcher's start-up options, the JVM's logs quiet. */
    public static final List<String> OPTIONS = List.of(
            "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xshare:auto", "-Xlog:disable", "-Xlog:all=warning:stderr");

    private AppJvm() {}

    /** The java executable of this test JVM. */
    public static String java() {
        return ProcessHandle.current().info().command().orElse("java");
    }

    /** {@code java} with {@link #OPTIONS}, then {@code options}, then the app's class path and main class. */
    public static List<String> command(List<String> options) {
        List<String> command = new ArrayList<>();
        command.add(java());
        command.addAll(args(options, "peers.jsa"));
        return command;
    }

    /** {@link #command} for a {@code broker run}: with the broker's archive, as the launcher picks it. */
    public static List<String> brokerCommand(List<String> options) {
        List<String> command = new ArrayList<>();
        command.add(java());
        command.addAll(args(options, "peers-broker.jsa"));
        return command;
    }

    /** {@link #command} without the java executable, for a client's MCP entry that names it apart. */
    public static List<String> args(List<String> options) {
        return args(options, "peers.jsa");
    }

    private static List<String> args(List<String> options, String archiveName) {
        List<String> args = new ArrayList<>(OPTIONS);
        args.addAll(options);
        Path jar = packagedJar();
        if (jar == null) {
            args.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName()));
            return args;
        }
        Path archive = jar.resolveSibling(archiveName);
        if (current(archive, jar)) {
            args.addAll(List.of(
                    "-XX:+UnlockDiagnosticVMOptions",
                    "-XX:ArchiveRelocationMode=0", // mapped where it was dumped, as the launcher does
                    "-XX:SharedArchiveFile=" + archive,
                    "-Xlog:cds*=off:stderr"));
        }
        args.addAll(List.of("-jar", jar.toString()));
        return args;
    }

    private static Path packagedJar() {
        String property = System.getProperty(JAR_PROPERTY);
        if (property == null || property.isBlank()) {
            return null;
        }
        Path jar = Path.of(property);
        return Files.isRegularFile(jar) ? jar : null;
    }

    /** As the launcher decides: an archive older than its jar would be refused, and then share no class at all. */
    private static boolean current(Path archive, Path jar) {
        try {
            return Files.isRegularFile(archive)
                    && !Files.getLastModifiedTime(jar)
                            .toInstant()
                            .isAfter(Files.getLastModifiedTime(archive).toInstant());
        } catch (java.io.IOException e) {
            return false;
        }
    }
}
