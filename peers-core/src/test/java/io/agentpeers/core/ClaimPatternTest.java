package io.agentpeers.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class ClaimPatternTest {
    private static final List<String> NAMES = List.of("a", "b", "aa", "ab", "ba", "bb");
    private static final List<String> PIECES = List.of("a", "b", "ab", "*", "?", "a*", "*a", "**");

    @Test
    void overlapIsExactOverEveryPairOfSmallPatterns() {
        List<List<String>> paths = new ArrayList<>();
        grow(paths, new ArrayList<>(), 4);
        List<String> patterns = new ArrayList<>();
        for (String one : PIECES) {
            patterns.add(one);
            for (String two : PIECES) {
                if (!(one.equals("**") && two.equals("**"))) {
                    patterns.add(one + "/" + two);
                }
            }
        }
        List<BitSet> covered = new ArrayList<>();
        for (String pattern : patterns) {
            BitSet set = new BitSet();
            ClaimPattern claim = ClaimPattern.parse(pattern, "/r", "/r");
            for (int i = 0; i < paths.size(); i++) {
                boolean matches = reference(pattern, paths.get(i));
                set.set(i, matches);
                ClaimPattern file = ClaimPattern.path(String.join("/", paths.get(i)), "/r", "/r");
                assertEquals(matches, claim.covers(file), pattern + " covers " + paths.get(i));
            }
            covered.add(set);
        }
        for (int i = 0; i < patterns.size(); i++) {
            for (int j = 0; j < patterns.size(); j++) {
                boolean witness = covered.get(i).intersects(covered.get(j));
                boolean overlaps = ClaimPattern.parse(patterns.get(i), "/r", "/r")
                        .overlaps(ClaimPattern.parse(patterns.get(j), "/r", "/r"));
                assertEquals(witness, overlaps, patterns.get(i) + " vs " + patterns.get(j));
            }
        }
    }

    @Test
    void aFileNameWithWildcardCharactersIsMatchedLiterally() {
        ClaimPattern claim = ClaimPattern.parse("src/a.java", "/r", "/r");
        assertFalse(claim.covers(ClaimPattern.path("src/*.java", "/r", "/r")));
        assertTrue(ClaimPattern.parse("src/*", "/r", "/r").covers(ClaimPattern.path("/r/src/*x", "/r", "/r/src")));
    }

    @Test
    void pathsAreNormalisedAndEscapesRefused() {
        assertEquals("src/a.java", ClaimPattern.parse("a.java", "/r", "/r/src").text());
        assertEquals("b", ClaimPattern.parse("/r/src/../b/", "/r", "/r").text());
        assertEquals("docs/**", ClaimPattern.parse("../docs/**", "/r", "/r/src").text());
        assertThrows(InvalidArgumentException.class, () -> ClaimPattern.parse("../../x", "/r", "/r/src"));
        assertThrows(InvalidArgumentException.class, () -> ClaimPattern.parse("/r/../etc", "/r", "/r"));
        assertThrows(InvalidArgumentException.class, () -> ClaimPattern.parse("/rr/x", "/r", "/r"));
        assertThrows(InvalidArgumentException.class, () -> ClaimPattern.parse("x", "/r", "/elsewhere"));
        assertThrows(InvalidArgumentException.class, () -> ClaimPattern.parse("x".repeat(1025), "/r", "/r"));
    }

    private static void grow(List<List<String>> into, List<String> prefix, int depth) {
        if (depth == 0) {
            return;
        }
        for (String name : NAMES) {
            List<String> path = new ArrayList<>(prefix);
            path.add(name);
            into.add(path);
            grow(into, path, depth - 1);
        }
    }

    /** An independent matcher: a plain path covers itself and what is below it; ** is any number of names. */
    private static boolean reference(String pattern, List<String> path) {
        List<String> segments = List.of(pattern.split("/"));
        boolean glob = pattern.contains("*") || pattern.contains("?");
        if (!glob) {
            return path.size() >= segments.size()
                    && path.subList(0, segments.size()).equals(segments);
        }
        return match(segments, 0, path, 0);
    }

    private static boolean match(List<String> pattern, int i, List<String> path, int j) {
        if (i == pattern.size()) {
            return j == path.size();
        }
        if (pattern.get(i).equals("**")) {
            for (int k = j; k <= path.size(); k++) {
                if (match(pattern, i + 1, path, k)) {
                    return true;
                }
            }
            return false;
        }
        String regex = pattern.get(i).replace("?", "[^/]").replace("*", "[^/]*");
        return j < path.size() && Pattern.matches(regex, path.get(j)) && match(pattern, i + 1, path, j + 1);
    }
}
