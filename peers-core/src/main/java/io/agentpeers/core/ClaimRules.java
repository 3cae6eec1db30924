package io.agentpeers.core;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** The checks of claims on paths that need no store: input shapes, limits, and who still holds a claim. */
final class ClaimRules {
    private ClaimRules() {}

    /** The caller's repository root; claims are scoped to a repository. */
    static String root(Peer peer) {
        if (peer.gitRoot() == null || peer.repoKey() == null) {
            throw new InvalidArgumentException("claims are scoped to a git repository, and your folder " + peer.cwd()
                    + " is in none: start your session in the repository whose files you claim");
        }
        return peer.gitRoot();
    }

    /** The patterns {@code paths} name, each once, in order. */
    static List<ClaimPattern> patterns(List<String> paths, Peer peer, ClaimLimits limits, String verb) {
        if (paths == null || paths.isEmpty()) {
            throw new InvalidArgumentException("name at least one path or glob to " + verb);
        }
        if (paths.size() > limits.perCall()) {
            throw new InvalidArgumentException("you named " + paths.size() + " paths; one call may " + verb
                    + " at most " + limits.perCall() + ": use a folder or a glob such as src/**");
        }
        String root = root(peer);
        List<ClaimPattern> patterns = new ArrayList<>();
        for (String path : paths) {
            ClaimPattern pattern = ClaimPattern.parse(path, root, peer.cwd());
            if (!patterns.contains(pattern)) {
                patterns.add(pattern);
            }
        }
        return patterns;
    }

    /** The note on one line (control characters become spaces), checked against the limit. */
    static String note(String note, ClaimLimits limits) {
        if (note == null) {
            return "";
        }
        StringBuilder line = new StringBuilder(note.length());
        note.strip().codePoints().forEach(c -> line.appendCodePoint(Character.isISOControl(c) ? ' ' : c));
        String text = line.toString();
        int bytes = text.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > limits.maxNoteBytes()) {
            throw new InvalidArgumentException("the note is " + bytes + " bytes of UTF-8; the limit is "
                    + limits.maxNoteBytes() + ": say in a few words what you are doing there");
        }
        return text;
    }

    /** Whether {@code holder}'s claims still stand at {@code now}: live, or gone but within its grace period. */
    static boolean holds(Peer holder, Instant now, Duration grace) {
        return holder.live()
                || (holder.goneAt() != null && holder.goneAt().plus(grace).isAfter(now));
    }
}
