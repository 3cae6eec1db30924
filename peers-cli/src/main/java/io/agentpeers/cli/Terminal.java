package io.agentpeers.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
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
    private static final ObjectMapper COMPACT = new ObjectMapper();

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

    public void println(String line) {
        out.println(line);
    }

    /** Pretty JSON on stdout: one document. */
    public void json(JsonNode node) {
        try {
            out.println(JSON.writeValueAsString(node));
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
        out.println(stripTrailing(line.toString()));
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
        String flat = text.replaceAll("\\s+", " ").strip();
        return flat.length() <= max ? flat : flat.substring(0, Math.max(0, max - 1)) + "…";
    }
}
