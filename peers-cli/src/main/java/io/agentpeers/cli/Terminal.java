package io.agentpeers.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.agentpeers.protocol.PeerText;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Human and machine output: aligned tables, relative times, colour only when asked for (a terminal and
 * no {@code NO_COLOR}), and JSON for scripts.
 */
public final class Terminal {
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    /** The JSON this class prints: peer text in it is escaped for a terminal ({@link JsonEscapes}). */
    private static final ObjectMapper PRETTY = forTerminal().enable(SerializationFeature.INDENT_OUTPUT);

    private static final ObjectMapper COMPACT = forTerminal();

    private final PrintStream out;
    private final PrintStream err;
    private final boolean colour;

    public Terminal(PrintStream out, PrintStream err, boolean colour) {
        this.out = out;
        this.err = err;
        this.colour = colour;
    }

    public PrintStream out() {
        return out;
    }

    public PrintStream err() {
        return err;
    }

    /**
     * Prints one line. Text other peers control (message text, summaries, folders) is data: every control
     * character in it is shown escaped ({@code \x1b}, {@code \r}...), so it cannot move the cursor,
     * retitle the terminal or pose as a line of ours. Only the colour codes of this class pass.
     */
    public void println(String line) {
        out.println(safeLine(line));
    }

    /** Pretty JSON on stdout: one document. */
    public void json(JsonNode node) {
        try {
            out.println(PRETTY.writeValueAsString(node));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Compact JSON on one line, for streams of events. */
    public void jsonLine(JsonNode node) {
        try {
            out.println(COMPACT.writeValueAsString(node));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ObjectMapper forTerminal() {
        ObjectMapper mapper = new ObjectMapper();
        mapper.getFactory().setCharacterEscapes(new JsonEscapes());
        return mapper;
    }

    public String bold(String text) {
        return paint("1", text);
    }

    public String dim(String text) {
        return paint("2", text);
    }

    public String green(String text) {
        return paint("32", text);
    }

    public String yellow(String text) {
        return paint("33", text);
    }

    public String red(String text) {
        return paint("31", text);
    }

    public String cyan(String text) {
        return paint("36", text);
    }

    private String paint(String code, String text) {
        return colour ? "\u001b[" + code + "m" + text + "\u001b[0m" : text;
    }

    /** Prints rows under a header with each column padded to its widest cell (colour codes do not count). */
    public void table(List<String> header, List<List<String>> rows) {
        int columns = header.size();
        int[] widths = new int[columns];
        List<List<String>> all = new ArrayList<>();
        all.add(header);
        all.addAll(rows);
        for (List<String> row : all) {
            for (int i = 0; i < columns; i++) {
                widths[i] = Math.max(widths[i], visibleLength(cell(row, i)));
            }
        }
        printRow(header, widths, true);
        for (List<String> row : rows) {
            printRow(row, widths, false);
        }
    }

    private void printRow(List<String> row, int[] widths, boolean header) {
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < widths.length; i++) {
            String value = cell(row, i);
            boolean last = i == widths.length - 1;
            line.append(header ? bold(value) : value);
            if (!last) {
                line.append(" ".repeat(widths[i] - visibleLength(value) + 2));
            }
        }
        out.println(safeLine(stripTrailing(line.toString())));
    }

    private static String cell(List<String> row, int i) {
        String value = i < row.size() ? row.get(i) : "";
        return value == null ? "-" : value;
    }

    private static int visibleLength(String text) {
        return text.replaceAll("\u001b\\[[0-9;]*m", "").length();
    }

    private static String stripTrailing(String text) {
        return text.replaceAll("\\s+$", "");
    }

    /** "just now", "12s ago", "5m ago", "3h ago", "2d ago"; "-" for none. */
    public static String ago(Instant then, Instant now) {
        if (then == null) {
            return "-";
        }
        Duration age = Duration.between(then, now);
        if (age.isNegative() || age.toMillis() < 1000) {
            return "just now";
        }
        return span(age) + " ago";
    }

    /** "12s", "5m 3s", "3h 12m", "2d 4h". */
    public static String span(Duration duration) {
        long seconds = Math.max(0, duration.getSeconds());
        if (seconds < 60) {
            return seconds + "s";
        }
        if (seconds < 3600) {
            return seconds / 60 + "m" + (seconds % 60 == 0 ? "" : " " + seconds % 60 + "s");
        }
        if (seconds < 86_400) {
            return seconds / 3600 + "h" + (seconds % 3600 / 60 == 0 ? "" : " " + seconds % 3600 / 60 + "m");
        }
        return seconds / 86_400 + "d" + (seconds % 86_400 / 3600 == 0 ? "" : " " + seconds % 86_400 / 3600 + "h");
    }

    /** The text on one line, cut to {@code max} characters with an ellipsis. */
    public static String oneLine(String text, int max) {
        if (text == null) {
            return "";
        }
        String flat = escape(text.replaceAll("\\s+", " ").strip(), false);
        return flat.length() <= max ? flat : flat.substring(0, Math.max(0, max - 1)) + "…";
    }

    /** {@code text} with every control character escaped, colour codes included: for peer-controlled text. */
    public static String data(String text) {
        return text == null ? "" : escape(text, false);
    }

    /** A whole line: colour codes of the form this class writes pass, every other control is escaped. */
    static String safeLine(String line) {
        return escape(line, true);
    }

    private static String escape(String text, boolean keepColours) {
        StringBuilder result = null;
        int length = text.length();
        for (int i = 0; i < length; i++) {
            char c = text.charAt(i);
            int colourEnd = keepColours && c == '\u001b' ? colourCodeEnd(text, i) : -1;
            if (colourEnd > 0) {
                if (result != null) {
                    result.append(text, i, colourEnd);
                }
                i = colourEnd - 1;
                continue;
            }
            if (!isUnsafe(c)) {
                if (result != null) {
                    result.append(c);
                }
                continue;
            }
            if (result == null) {
                result = new StringBuilder(length + 16).append(text, 0, i);
            }
            switch (c) {
                case '\r' -> result.append("\\r");
                case '\n' -> result.append("\\n");
                default ->
                    result.append(c < 0x100 ? String.format("\\x%02x", (int) c) : String.format("\\u%04x", (int) c));
            }
        }
        return result == null ? text : result.toString();
    }

    /** Where an SGR colour code {@code ESC [ digits/semicolons m} starting at {@code start} ends, or -1. */
    private static int colourCodeEnd(String text, int start) {
        int i = start + 1;
        if (i >= text.length() || text.charAt(i) != '[') {
            return -1;
        }
        for (i++; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == 'm') {
                return i + 1;
            }
            if ((c < '0' || c > '9') && c != ';') {
                return -1;
            }
        }
        return -1;
    }

    /** What {@link PeerText#isControl} names, tab aside (it only moves to the next column). */
    private static boolean isUnsafe(char c) {
        return c != '\t' && PeerText.isControl(c);
    }
}
