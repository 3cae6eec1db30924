package io.agentpeers.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * The lines of a TOML document, each with the table header or the key it holds, its key parts unquoted: so
 * {@code [mcp_servers.peers]}, {@code ["mcp_servers".'peers']} and {@code [ mcp_servers . "peers" ]} are one
 * table. Lines inside a multi-line string or a multi-line array are {@link Kind#OTHER}. It reads only the
 * structure an installer needs to find its entry; it is not a validating parser.
 */
final class TomlLines {
    enum Kind {
        /** {@code [a.b]} */
        TABLE,
        /** {@code [[a.b]]} */
        ARRAY_TABLE,
        /** {@code a.b = value}: the path is the key's own, without the table's */
        KEY,
        /** blank, a comment, or inside a value */
        OTHER
    }

    record Line(Kind kind, List<String> path) {}

    private TomlLines() {}

    /** One entry for each line of {@code text.split("\n", -1)}. */
    static List<Line> of(String text) {
        List<Line> lines = new ArrayList<>();
        String openString = null;
        int arrayDepth = 0;
        for (String line : text.split("\n", -1)) {
            boolean inValue = openString != null || arrayDepth > 0;
            lines.add(inValue ? new Line(Kind.OTHER, List.of()) : classify(line));
            Scan scan = scan(line, openString, arrayDepth);
            openString = scan.openString;
            arrayDepth = scan.arrayDepth;
        }
        return lines;
    }

    private static Line classify(String line) {
        Cursor at = new Cursor(line);
        at.skipBlanks();
        if (at.take("[[")) {
            List<String> path = at.key();
            return path != null && at.take("]]") && at.restIsComment()
                    ? new Line(Kind.ARRAY_TABLE, path)
                    : new Line(Kind.OTHER, List.of());
        }
        if (at.take("[")) {
            List<String> path = at.key();
            return path != null && at.take("]") && at.restIsComment()
                    ? new Line(Kind.TABLE, path)
                    : new Line(Kind.OTHER, List.of());
        }
        List<String> key = at.key();
        return key != null && at.take("=") ? new Line(Kind.KEY, key) : new Line(Kind.OTHER, List.of());
    }

    private record Scan(String openString, int arrayDepth) {}

    /** Follows strings, comments and brackets to the end of a line: what stays open for the next one. */
    private static Scan scan(String line, String openString, int arrayDepth) {
        int i = 0;
        boolean afterEquals = openString != null || arrayDepth > 0;
        while (i < line.length()) {
            if (openString != null) {
                int close = findClose(line, i, openString);
                if (close < 0) {
                    return new Scan(openString, arrayDepth);
                }
                i = close + openString.length();
                openString = null;
                continue;
            }
            char c = line.charAt(i);
            if (c == '#') {
                break;
            } else if (line.startsWith("\"\"\"", i) || line.startsWith("'''", i)) {
                openString = line.substring(i, i + 3);
                i += 3;
            } else if (c == '"' || c == '\'') {
                int close = findClose(line, i + 1, String.valueOf(c));
                i = close < 0 ? line.length() : close + 1;
            } else {
                if (c == '=') {
                    afterEquals = true;
                } else if (afterEquals && c == '[') {
                    arrayDepth++;
                } else if (afterEquals && c == ']' && arrayDepth > 0) {
                    arrayDepth--;
                }
                i++;
            }
        }
        return new Scan(openString, arrayDepth);
    }

    /** Where a string that uses this delimiter closes, from {@code from}; -1 when not on this line. */
    private static int findClose(String line, int from, String delimiter) {
        boolean basic = delimiter.charAt(0) == '"';
        for (int i = from; i < line.length(); i++) {
            if (basic && line.charAt(i) == '\\') {
                i++;
            } else if (line.startsWith(delimiter, i)) {
                return i;
            }
        }
        return -1;
    }

    /** Reads a dotted key: bare, "basic" or 'literal' parts, with blanks around the dots. */
    private static final class Cursor {
        private final String text;
        private int at;

        Cursor(String text) {
            this.text = text;
        }

        void skipBlanks() {
            while (at < text.length() && (text.charAt(at) == ' ' || text.charAt(at) == '\t')) {
                at++;
            }
        }

        boolean take(String token) {
            skipBlanks();
            if (text.startsWith(token, at)) {
                at += token.length();
                return true;
            }
            return false;
        }

        boolean restIsComment() {
            skipBlanks();
            return at == text.length() || text.charAt(at) == '#' || text.charAt(at) == '\r';
        }

        List<String> key() {
            List<String> parts = new ArrayList<>();
            do {
                String part = part();
                if (part == null) {
                    return null;
                }
                parts.add(part);
            } while (take("."));
            return parts;
        }

        private String part() {
            skipBlanks();
            if (at >= text.length()) {
                return null;
            }
            char c = text.charAt(at);
            if (c == '"') {
                return basicString();
            }
            if (c == '\'') {
                int close = text.indexOf('\'', at + 1);
                if (close < 0) {
                    return null;
                }
                String part = text.substring(at + 1, close);
                at = close + 1;
                return part;
            }
            int start = at;
            while (at < text.length() && bare(text.charAt(at))) {
                at++;
            }
            return at > start ? text.substring(start, at) : null;
        }

        private String basicString() {
            StringBuilder part = new StringBuilder();
            for (int i = at + 1; i < text.length(); i++) {
                char c = text.charAt(i);
                if (c == '"') {
                    at = i + 1;
                    return part.toString();
                }
                if (c == '\\' && i + 1 < text.length()) {
                    char next = text.charAt(++i);
                    switch (next) {
                        case 'n' -> part.append('\n');
                        case 't' -> part.append('\t');
                        case 'u', 'U' -> {
                            int digits = next == 'u' ? 4 : 8;
                            if (i + digits >= text.length()) {
                                return null;
                            }
                            try {
                                part.appendCodePoint(Integer.parseInt(text.substring(i + 1, i + 1 + digits), 16));
                            } catch (IllegalArgumentException e) {
                                return null;
                            }
                            i += digits;
                        }
                        default -> part.append(next);
                    }
                } else {
                    part.append(c);
                }
            }
            return null;
        }

        private static boolean bare(char c) {
            return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
        }
    }
}
