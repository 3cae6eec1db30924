package io.agentpeers.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** The figures of one run: printed as a table, written as JSON. Thread-safe. */
final class Report {
    /**
     * One line of the table.
     *
     * @param verdict {@code met}, {@code MISSED (...)}, or empty when the row has no target
     */
    record Row(String section, String label, Map<String, Object> values, String target, String verdict) {}

    private final List<Row> rows = new ArrayList<>();
    private final Map<String, Object> meta = new LinkedHashMap<>();

    synchronized void meta(String key, Object value) {
        meta.put(key, value);
    }

    synchronized Row add(String section, String label, Map<String, Object> values, String target, String verdict) {
        Row row = new Row(
                section,
                label,
                new LinkedHashMap<>(values),
                target == null ? "" : target,
                verdict == null ? "" : verdict);
        rows.add(row);
        return row;
    }

    synchronized void unavailable(String section, String label, String reason) {
        add(section, label, Map.of("result", "not available: " + reason), null, null);
    }

    synchronized List<Row> rows() {
        return List.copyOf(rows);
    }

    /** At most target: "met" or by how much it missed. */
    static String atMost(double value, double limit, String unit) {
        if (Double.isNaN(value)) {
            return "no data";
        }
        return value <= limit
                ? "met"
                : String.format(Locale.ROOT, "MISSED by %.3g %s (x%.1f)", value - limit, unit, value / limit);
    }

    static String atLeast(double value, double floor, String unit) {
        if (Double.isNaN(value)) {
            return "no data";
        }
        return value >= floor
                ? "met"
                : String.format(
                        Locale.ROOT, "MISSED by %.0f %s (%.0f%% of target)", floor - value, unit, 100 * value / floor);
    }

    synchronized String table() {
        StringBuilder out = new StringBuilder();
        Map<String, List<Row>> sections = new LinkedHashMap<>();
        for (Row row : rows) {
            sections.computeIfAbsent(row.section(), k -> new ArrayList<>()).add(row);
        }
        for (Map.Entry<String, List<Row>> section : sections.entrySet()) {
            Set<String> keys = new LinkedHashSet<>();
            section.getValue().forEach(row -> keys.addAll(row.values().keySet()));
            List<String> header = new ArrayList<>();
            header.add("case");
            header.addAll(keys);
            header.add("target");
            header.add("verdict");
            List<List<String>> lines = new ArrayList<>();
            lines.add(header);
            for (Row row : section.getValue()) {
                List<String> line = new ArrayList<>();
                line.add(row.label());
                for (String key : keys) {
                    line.add(format(row.values().get(key)));
                }
                line.add(row.target());
                line.add(row.verdict());
                lines.add(line);
            }
            int[] widths = new int[header.size()];
            for (List<String> line : lines) {
                for (int i = 0; i < line.size(); i++) {
                    widths[i] = Math.max(widths[i], line.get(i).length());
                }
            }
            out.append("\n== ").append(section.getKey()).append(" ==\n");
            for (int l = 0; l < lines.size(); l++) {
                List<String> line = lines.get(l);
                StringBuilder text = new StringBuilder();
                for (int i = 0; i < line.size(); i++) {
                    String cell = line.get(i);
                    boolean left = i == 0 || i >= line.size() - 2;
                    text.append(left ? pad(cell, widths[i], false) : pad(cell, widths[i], true))
                            .append("  ");
                }
                out.append(text.toString().stripTrailing()).append('\n');
                if (l == 0) {
                    out.append("-"
                                    .repeat(Math.max(
                                            0, text.toString().stripTrailing().length())))
                            .append('\n');
                }
            }
        }
        return out.toString();
    }

    synchronized void writeJson(Path path) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("meta", meta);
        List<Map<String, Object>> list = new ArrayList<>();
        for (Row row : rows) {
            Map<String, Object> item = new LinkedHashMap<>();
            item.put("section", row.section());
            item.put("case", row.label());
            item.putAll(row.values());
            item.put("target", row.target());
            item.put("verdict", row.verdict());
            list.add(item);
        }
        root.put("results", list);
        try {
            Path parent = path.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(path.toFile(), root);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + path, e);
        }
    }

    private static String format(Object value) {
        if (value == null) {
            return "";
        }
        if (value instanceof Double d) {
            if (d.isNaN()) {
                return "-";
            }
            return Math.abs(d) >= 1000 ? String.format(Locale.ROOT, "%.0f", d) : String.format(Locale.ROOT, "%.3f", d);
        }
        return value.toString();
    }

    private static String pad(String text, int width, boolean right) {
        String fill = " ".repeat(Math.max(0, width - text.length()));
        return right ? fill + text : text + fill;
    }
}
