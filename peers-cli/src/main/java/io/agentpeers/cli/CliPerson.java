package io.agentpeers.cli;

import io.agentpeers.core.ClientType;
import io.agentpeers.core.PeersException;
import io.agentpeers.core.RegisterRequest;
import io.agentpeers.local.CallerFacts;
import io.agentpeers.protocol.PeersPaths;
import io.agentpeers.protocol.PrivateFiles;
import io.agentpeers.protocol.client.PeersClient;
import io.agentpeers.protocol.client.Results;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Locale;

/**
 * The person at the terminal as a peer: client type {@code cli}, one per user, named after the user
 * ({@code PEERS_CLI_NAME} overrides), taken back on every command with the resume secret kept in
 * {@code PEERS_HOME/cli.secret} (mode 0600, in a home private to the user: {@link PrivateFiles}). The
 * broker rotates the secret at each registration; the newest one is stored at once, and the broker still
 * takes the one before until the newest is used, so a command that dies before it stores the newest loses
 * nothing.
 */
public final class CliPerson {
    static final String SECRET_FILE = "cli.secret";
    private static final long IN_USE_WAIT_MILLIS = 4_000;

    private final CliContext context;
    private final PeersPaths paths;

    public CliPerson(CliContext context, PeersPaths paths) {
        this.context = context;
        this.paths = paths;
    }

    /** The name the person registers under. */
    public String name() {
        String configured = context.env().get("PEERS_CLI_NAME");
        if (configured != null && !configured.isBlank()) {
            return configured.strip();
        }
        String user = context.env()
                .getOrDefault("USER", context.env().getOrDefault("LOGNAME", System.getProperty("user.name", "me")));
        // Letters and digits only: the broker's id check (PeerNetwork.nameFree) refuses names with '-' today.
        String name = user.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "");
        if (name.length() > 32) {
            name = name.substring(0, 32);
        }
        return name.isEmpty() ? "me" : name;
    }

    public Path secretFile() {
        return paths.home().resolve(SECRET_FILE);
    }

    /** Registers (resuming when the secret is known) and stores the fresh secret. */
    public Results.Registered register(PeersClient client) {
        return register(client, Duration.ofMillis(IN_USE_WAIT_MILLIS));
    }

    /**
     * {@link #register(PeersClient)}, waiting up to {@code heldWait} while another {@code peers} command of
     * this user holds the CLI peer (each holds it only briefly: see {@code peers send --wait}).
     */
    public Results.Registered register(PeersClient client, Duration heldWait) {
        CallerFacts facts = CallerFacts.of(context.cwd(), null);
        requirePrivateHome(); // before the secret is read or written: another user could plant or take it
        String secret = readSecret();
        String wanted = name();
        RegisterRequest request = new RegisterRequest(
                null,
                wanted,
                facts.cwd(),
                facts.gitRoot(),
                facts.repoKey(),
                facts.repoRemote(),
                facts.tty(),
                ClientType.CLI,
                null,
                secret);
        long deadline = System.currentTimeMillis() + heldWait.toMillis();
        int nameAttempt = 0;
        boolean reread = false;
        while (true) {
            try {
                Results.Registered registered = client.register(request);
                writeSecret(client.resumeSecret());
                return registered;
            } catch (PeersException e) {
                switch (e.errorCode()) {
                    case RESUME_REFUSED -> {
                        // Another command may have resumed (and rotated) it since we read the file.
                        String now = reread ? null : readSecret();
                        reread = true;
                        boolean newer = now != null && !now.equals(request.resumeSecret());
                        request = request.withResumeSecret(newer ? now : null); // else the broker forgot it
                    }
                    case PEER_STILL_CONNECTED -> {
                        if (System.currentTimeMillis() < deadline) {
                            pause(); // a command that just ended: the broker sees its connection close shortly
                        } else {
                            throw new CliFailure("your CLI peer is held by another running `peers` command;"
                                    + " let it finish, or set PEERS_CLI_NAME and PEERS_HOME for a second identity");
                        }
                    }
                    case NAME_TAKEN, INVALID_NAME -> {
                        nameAttempt++;
                        String next = nameAttempt == 1 && (wanted + "cli").length() <= 32 ? wanted + "cli" : null;
                        if (nameAttempt > 2) {
                            throw e;
                        }
                        context.err()
                                .println("peers: the name " + request.name() + " is taken; registering as "
                                        + (next == null ? "an unnamed peer" : next)
                                        + " (set PEERS_CLI_NAME to choose)");
                        request = request.withName(next);
                    }
                    default -> throw e;
                }
            }
        }
    }

    private static void pause() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliFailure("interrupted while waiting for the CLI peer");
        }
    }

    private void requirePrivateHome() {
        try {
            PrivateFiles.requireFolder(paths.home(), "PEERS_HOME");
        } catch (IOException e) {
            throw new CliFailure(
                    "cannot create " + paths.home() + ": " + e.getMessage() + "; check that PEERS_HOME is writable");
        }
    }

    private String readSecret() {
        Path file = secretFile();
        try {
            return Files.exists(file, LinkOption.NOFOLLOW_LINKS)
                    ? PrivateFiles.read(file, StandardCharsets.US_ASCII).strip()
                    : null;
        } catch (IOException e) {
            throw new CliFailure("cannot read " + file + ": " + e.getMessage() + "; fix its permissions or delete it");
        }
    }

    private void writeSecret(String secret) {
        if (secret == null) {
            return;
        }
        Path file = secretFile();
        try {
            // A new file, then renamed over the old one: a rename replaces a link, it never writes through one.
            FileReplace.replace(
                    file, secret + "\n", StandardCharsets.US_ASCII, PosixFilePermissions.fromString("rw-------"));
        } catch (IOException e) {
            throw new CliFailure("cannot store the CLI's resume secret in " + file + ": " + e.getMessage()
                    + "; check that PEERS_HOME is writable");
        }
    }
}
