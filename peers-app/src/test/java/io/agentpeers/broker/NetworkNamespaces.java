package io.agentpeers.broker;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Network namespaces for a test, each joined to this one by a veth pair of its own and nothing else: a process
 * run {@link #inside} one sees only its loopback and the pair's far end ({@link #hostAddress}), under a host
 * name of its own (a UTS namespace, with an {@code /etc/hosts} that names it bind-mounted in a private mount
 * namespace). Unix sockets are files, so a test still reaches such a process's socket. Needs root and
 * iproute2; {@link #whyUnavailable()} says when they are missing. Deleted by {@link #close()} (the pair
 * goes with its namespace).
 */
final class NetworkNamespaces implements AutoCloseable {
    private static final Path IP =
            Files.isExecutable(Path.of("/usr/sbin/ip")) ? Path.of("/usr/sbin/ip") : Path.of("/sbin/ip");
    private static final Path UNSHARE = Path.of("/usr/bin/unshare");

    private final List<String> names = new ArrayList<>();
    private final List<String> hostLinks = new ArrayList<>();
    private final int octet;

    private NetworkNamespaces() {
        // A third octet per test JVM, so two runs on one machine do not share a subnet.
        this.octet = (int) (ProcessHandle.current().pid() % 250) + 1;
    }

    /** Why no namespaces can be made here, or empty; asks the kernel by making and deleting one. */
    static Optional<String> whyUnavailable() {
        if (!"root".equals(System.getProperty("user.name"))) {
            return Optional.of(
                    "network namespaces need root (ip netns), and this runs as " + System.getProperty("user.name"));
        }
        if (!Files.isExecutable(IP) || !Files.isExecutable(UNSHARE)) {
            return Optional.of("no " + IP + " or " + UNSHARE + " (iproute2, util-linux)");
        }
        String probe = "peers-probe-" + ProcessHandle.current().pid();
        try {
            run(IP.toString(), "netns", "add", probe);
            run(IP.toString(), "netns", "del", probe);
            return Optional.empty();
        } catch (IOException e) {
            return Optional.of("ip netns add failed: " + e.getMessage());
        }
    }

    /** {@code count} namespaces, each with its veth pair up and addressed. */
    static NetworkNamespaces create(int count) throws IOException {
        NetworkNamespaces made = new NetworkNamespaces();
        try {
            for (int i = 0; i < count; i++) {
                made.add(i);
            }
            return made;
        } catch (IOException | RuntimeException e) {
            made.close();
            throw e;
        }
    }

    private void add(int i) throws IOException {
        long pid = ProcessHandle.current().pid();
        String name = "peers-" + pid + "-" + i;
        String hostLink = "pv" + pid + "h" + i; // at most 15 bytes, the kernel's limit
        String nsLink = "pv" + pid + "n" + i;
        run(IP.toString(), "netns", "add", name);
        names.add(name);
        run(IP.toString(), "link", "add", hostLink, "type", "veth", "peer", "name", nsLink);
        hostLinks.add(hostLink);
        run(IP.toString(), "link", "set", nsLink, "netns", name);
        run(IP.toString(), "addr", "add", hostAddress(i) + "/30", "dev", hostLink);
        run(IP.toString(), "link", "set", hostLink, "up");
        run(IP.toString(), "netns", "exec", name, IP.toString(), "addr", "add", address(i) + "/30", "dev", nsLink);
        run(IP.toString(), "netns", "exec", name, IP.toString(), "link", "set", nsLink, "up");
        run(IP.toString(), "netns", "exec", name, IP.toString(), "link", "set", "lo", "up");
    }

    /** This side's end of namespace {@code i}'s pair: the one address of this machine it can reach. */
    String hostAddress(int i) {
        return "10." + (200 + i) + "." + octet + ".1";
    }

    /** Namespace {@code i}'s own end of the pair. */
    String address(int i) {
        return "10." + (200 + i) + "." + octet + ".2";
    }

    /** Namespace {@code i}'s subnet (its pair), for the server's {@code pg_hba.conf}. */
    String subnet(int i) {
        return "10." + (200 + i) + "." + octet + ".0/30";
    }

    /**
     * {@code command} run inside namespace {@code i} with the host name {@code host}, which its {@code /etc/hosts}
     * (written to {@code folder}) resolves to the namespace's address. Every wrapper execs the next, so the
     * process's pid is the command's own.
     */
    List<String> inside(int i, String host, Path folder, List<String> command) throws IOException {
        Path hosts = folder.resolve("hosts-" + host);
        Files.writeString(hosts, "127.0.0.1 localhost\n" + address(i) + " " + host + "\n", StandardCharsets.UTF_8);
        List<String> full = new ArrayList<>(List.of(
                IP.toString(),
                "netns",
                "exec",
                names.get(i),
                UNSHARE.toString(),
                "--mount",
                "--uts",
                "--propagation",
                "private",
                "/bin/sh",
                "-c",
                "mount --bind \"$1\" /etc/hosts && hostname \"$2\" && shift 2 && exec \"$@\"",
                "sh",
                hosts.toString(),
                host));
        full.addAll(command);
        return full;
    }

    /** Runs {@code command} inside namespace {@code i}; its exit code (bounded: -1 after 20 s). */
    int exitCodeInside(int i, String... command) throws IOException, InterruptedException {
        List<String> full = new ArrayList<>(List.of(IP.toString(), "netns", "exec", names.get(i)));
        full.addAll(List.of(command));
        Process p = new ProcessBuilder(full)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        if (!p.waitFor(20, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            return -1;
        }
        return p.exitValue();
    }

    @Override
    public void close() {
        for (String link : hostLinks) {
            quietly(IP.toString(), "link", "del", link);
        }
        for (String name : names) {
            quietly(IP.toString(), "netns", "del", name);
        }
    }

    private static void quietly(String... command) {
        try {
            run(command);
        } catch (IOException e) {
            // Deleting the namespace takes its pair with it: the link may be gone already.
        }
    }

    private static void run(String... command) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                throw new IOException(String.join(" ", command) + " did not finish within 20 s");
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed with " + p.exitValue() + ": " + output);
        }
    }
}
