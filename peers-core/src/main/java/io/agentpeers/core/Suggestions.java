package io.agentpeers.core;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** The live peers whose name or id is nearest to a mistyped one, so a model can correct itself. */
final class Suggestions {
    private Suggestions() {}

    static List<String> nearest(String wanted, List<Peer> live, int max) {
        record Candidate(String label, int distance) {}
        List<Candidate> candidates = new ArrayList<>();
        for (Peer peer : live) {
            int byId = distance(wanted, peer.id().value());
            int byName = peer.name() == null ? Integer.MAX_VALUE : distance(wanted, peer.name());
            int best = Math.min(byId, byName);
            boolean prefix = peer.name() != null && (peer.name().startsWith(wanted) || wanted.startsWith(peer.name()));
            if (prefix || best <= Math.max(2, wanted.length() / 3)) {
                String label = peer.name() == null ? peer.id().value() : peer.name() + " (" + peer.id() + ")";
                candidates.add(new Candidate(label, prefix ? 0 : best));
            }
        }
        return candidates.stream()
                .sorted(Comparator.comparingInt(Candidate::distance).thenComparing(Candidate::label))
                .limit(max)
                .map(Candidate::label)
                .toList();
    }

    /** Levenshtein distance, two rows. */
    static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                current[j] = Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
