package io.agentpeers.core;

import java.util.List;

/** No peer has this id or name. Carries the nearest known names, so a model can correct itself. */
public class UnknownPeerException extends PeersException {
    /** See {@link #suggestions()}. */
    private final List<String> suggestions;

    /**
     * @param wanted      the id or name asked for
     * @param suggestions near names or ids, nearest first (see {@link #suggestions()})
     */
    public UnknownPeerException(String wanted, List<String> suggestions) {
        this(suggestions, message(wanted, suggestions));
    }

    private UnknownPeerException(List<String> suggestions, String message) {
        super(ErrorCode.UNKNOWN_PEER, message);
        this.suggestions = List.copyOf(suggestions);
    }

    /** The exception a broker reported, with its sentence as it was sent (a client rebuilds it so). */
    public static UnknownPeerException reported(String message, List<String> suggestions) {
        return new UnknownPeerException(suggestions, message);
    }

    /** Ids or names of live peers close to what was asked for, nearest first; maybe empty. */
    public List<String> suggestions() {
        return suggestions;
    }

    /**
     * The sentence names the nearest peers, not how to list them: each face says that in its own words
     * ({@code peers list}, the {@code list_peers} tool).
     */
    private static String message(String wanted, List<String> suggestions) {
        String base = "no peer has the id or name '" + wanted + "'";
        if (suggestions.isEmpty()) {
            return base;
        }
        return base + "; did you mean " + String.join(" or ", suggestions) + "?";
    }
}
