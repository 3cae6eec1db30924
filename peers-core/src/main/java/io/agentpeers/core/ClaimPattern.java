package io.agentpeers.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A path or glob of a claim, normalised relative to the repository root: segments joined by {@code /}, no
 * {@code .} or {@code ..}, never empty. Globs know {@code *} and {@code ?} (within one segment) and
 * {@code **} (a whole segment: any number of segments, none included); other glob syntax is refused.
 * A plain path names a file or a folder, so it covers everything below it too.
 *
 * <p>Overlap is decided over the segments with a product of the two patterns' automata: it says yes
 * whenever some path matches both, so it is sound; it may say yes where only an empty segment (which no
 * real path has) would match both. A path being edited is matched with its {@code *} and {@code ?} taken
 * literally.
 */
public final class ClaimPattern {
    /** The longest pattern, in characters, after normalisation. */
    public static final int MAX_CHARS = 1024;

    private static final String GLOBSTAR = "**";

    private final String text;
    private final List<String> segments;
    private final boolean glob;

    private ClaimPattern(List<String> segments, boolean glob) {
        this.segments = List.copyOf(segments);
        this.text = String.join("/", segments);
        this.glob = glob;
    }

    /**
     * The claim pattern that {@code input} names, as given by a peer whose working folder is {@code cwd} in
     * the repository whose root is {@code root} (both absolute). Relative input is taken from {@code cwd}.
     *
     * @throws InvalidArgumentException for empty input, glob syntax other than {@code * ? **}, a path
     *                                  outside the repository, or one too long
     */
    public static ClaimPattern parse(String input, String root, String cwd) {
        return parse(input, root, cwd, true);
    }

    /** A path being edited (absolute, or relative to {@code cwd}), its wildcard characters taken literally. */
    public static ClaimPattern path(String input, String root, String cwd) {
        return parse(input, root, cwd, false);
    }

    private static ClaimPattern parse(String input, String root, String cwd, boolean globs) {
        Objects.requireNonNull(root, "root");
        String given = input == null ? "" : input.strip();
        if (given.isEmpty()) {
            throw new InvalidArgumentException("an empty path: name a file, a folder or a glob in the repository");
        }
        for (int i = 0; i < given.length(); i++) {
            char c = given.charAt(i);
            if (Character.isISOControl(c)) {
                throw new InvalidArgumentException("the path has a control character at " + i + ": name a real file");
            }
            if (globs && "[]{}\\".indexOf(c) >= 0) {
                throw new InvalidArgumentException("'" + c + "' in " + quoted(given) + " is not supported: globs know"
                        + " * and ? (within a folder name) and ** (any folders), e.g. src/**/*.java");
            }
        }
        List<String> rootSegments = split(root);
        List<String> out = new ArrayList<>();
        if (!given.startsWith("/")) {
            List<String> base = split(cwd == null ? root : cwd);
            if (!startsWith(base, rootSegments)) {
                throw new InvalidArgumentException("the working folder " + quoted(cwd) + " is outside the repository "
                        + quoted(root) + ": give paths from the repository root");
            }
            out.addAll(base.subList(rootSegments.size(), base.size()));
        }
        for (String segment : split(given)) {
            if (segment.equals(".")) {
                continue;
            }
            if (segment.equals("..")) {
                if (out.isEmpty()) {
                    throw outside(given, root);
                }
                out.remove(out.size() - 1);
                continue;
            }
            if (globs && segment.contains(GLOBSTAR) && !segment.equals(GLOBSTAR)) {
                throw new InvalidArgumentException(
                        "'**' must be a whole folder name, as in src/**/x.java, not " + quoted(segment));
            }
            out.add(segment);
        }
        List<String> relative;
        if (given.startsWith("/")) {
            if (!startsWith(out, rootSegments)) {
                throw outside(given, root);
            }
            relative = out.subList(rootSegments.size(), out.size());
        } else {
            relative = out;
        }
        if (relative.isEmpty()) {
            throw new InvalidArgumentException(quoted(given) + " is the repository root itself: name files or"
                    + " folders in it, or ** for all of it");
        }
        boolean glob = globs && relative.stream().anyMatch(s -> s.indexOf('*') >= 0 || s.indexOf('?') >= 0);
        ClaimPattern pattern = new ClaimPattern(relative, glob);
        if (pattern.text.length() > MAX_CHARS) {
            throw new InvalidArgumentException(
                    "the path is " + pattern.text.length() + " characters; the limit is " + MAX_CHARS);
        }
        return pattern;
    }

    /** A pattern as stored: already normalised by {@link #parse}. */
    public static ClaimPattern stored(String text) {
        List<String> segments = split(text);
        boolean glob = segments.stream().anyMatch(s -> s.indexOf('*') >= 0 || s.indexOf('?') >= 0);
        return new ClaimPattern(segments, glob);
    }

    /** The normalised text, relative to the repository root. */
    public String text() {
        return text;
    }

    /** Whether it has wildcards. */
    public boolean glob() {
        return glob;
    }

    // A claim's coverage is matched as a glob even for a plain path: a plain claim has no * or ? at all
    // (that is what makes it plain), and the ** appended for what is below it must act as one.

    /** Whether some path is covered by both this claim and {@code other}. */
    public boolean overlaps(ClaimPattern other) {
        for (List<String> mine : coverage()) {
            for (List<String> theirs : other.coverage()) {
                if (segmentsMeet(mine, true, theirs, true)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Whether the file {@code path} (see {@link #path}) is covered by this claim. */
    public boolean covers(ClaimPattern path) {
        for (List<String> mine : coverage()) {
            if (segmentsMeet(mine, true, path.segments, false)) {
                return true;
            }
        }
        return false;
    }

    /** A plain path covers itself and everything below it; a glob what it matches. */
    private List<List<String>> coverage() {
        if (glob) {
            return List.of(segments);
        }
        List<String> below = new ArrayList<>(segments);
        below.add(GLOBSTAR);
        return List.of(segments, below);
    }

    /**
     * Whether one sequence of segments matches both patterns: a search over pairs of positions, where
     * {@code **} may match nothing (move on) or one more segment (stay).
     */
    private static boolean segmentsMeet(List<String> a, boolean aGlob, List<String> b, boolean bGlob) {
        boolean[][] seen = new boolean[a.size() + 1][b.size() + 1];
        List<int[]> todo = new ArrayList<>();
        todo.add(new int[] {0, 0});
        while (!todo.isEmpty()) {
            int[] at = todo.remove(todo.size() - 1);
            int i = at[0];
            int j = at[1];
            if (seen[i][j]) {
                continue;
            }
            seen[i][j] = true;
            boolean aStar = aGlob && i < a.size() && a.get(i).equals(GLOBSTAR);
            boolean bStar = bGlob && j < b.size() && b.get(j).equals(GLOBSTAR);
            if (i == a.size() && j == b.size()) {
                return true;
            }
            if (aStar) {
                todo.add(new int[] {i + 1, j});
            }
            if (bStar) {
                todo.add(new int[] {i, j + 1});
            }
            if (i < a.size() && j < b.size()) {
                boolean meet = aStar || bStar || namesMeet(a.get(i), aGlob, b.get(j), bGlob);
                if (meet) {
                    todo.add(new int[] {aStar ? i : i + 1, bStar ? j : j + 1});
                }
            }
        }
        return false;
    }

    /** Whether one name matches both segment patterns ({@code *} any run, {@code ?} one character). */
    static boolean namesMeet(String a, boolean aGlob, String b, boolean bGlob) {
        boolean[][] seen = new boolean[a.length() + 1][b.length() + 1];
        List<int[]> todo = new ArrayList<>();
        todo.add(new int[] {0, 0});
        while (!todo.isEmpty()) {
            int[] at = todo.remove(todo.size() - 1);
            int i = at[0];
            int j = at[1];
            if (seen[i][j]) {
                continue;
            }
            seen[i][j] = true;
            if (i == a.length() && j == b.length()) {
                return true;
            }
            boolean aStar = aGlob && i < a.length() && a.charAt(i) == '*';
            boolean bStar = bGlob && j < b.length() && b.charAt(j) == '*';
            if (aStar) {
                todo.add(new int[] {i + 1, j});
            }
            if (bStar) {
                todo.add(new int[] {i, j + 1});
            }
            if (i < a.length() && j < b.length()) {
                boolean aAny = aStar || (aGlob && a.charAt(i) == '?');
                boolean bAny = bStar || (bGlob && b.charAt(j) == '?');
                if (aAny || bAny || a.charAt(i) == b.charAt(j)) {
                    // One character both accept; a star stays where it is to accept more.
                    todo.add(new int[] {aStar ? i : i + 1, bStar ? j : j + 1});
                }
            }
        }
        return false;
    }

    private static List<String> split(String path) {
        List<String> parts = new ArrayList<>();
        for (String part : path.split("/")) {
            if (!part.isEmpty()) {
                parts.add(part);
            }
        }
        return parts;
    }

    private static boolean startsWith(List<String> path, List<String> prefix) {
        return path.size() >= prefix.size() && path.subList(0, prefix.size()).equals(prefix);
    }

    private static InvalidArgumentException outside(String given, String root) {
        return new InvalidArgumentException(
                quoted(given) + " is outside the repository " + quoted(root) + ": claims name paths inside it");
    }

    /** Quoted for an error message; the text is the caller's own. */
    private static String quoted(String text) {
        String shown = text == null ? "" : text;
        return "'" + (shown.length() > 200 ? shown.substring(0, 200) + "..." : shown) + "'";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ClaimPattern p && p.text.equals(text) && p.glob == glob;
    }

    @Override
    public int hashCode() {
        return text.hashCode();
    }

    @Override
    public String toString() {
        return text;
    }
}
