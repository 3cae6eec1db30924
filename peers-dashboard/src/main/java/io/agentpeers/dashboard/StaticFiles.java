package io.agentpeers.dashboard;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;

/** The page, its script and its style, read once from the jar: no build step, nothing fetched elsewhere. */
final class StaticFiles {
    record File(String contentType, byte[] body) {}

    private static final String ROOT = "/io/agentpeers/dashboard/static/";

    private final Map<String, File> files;

    StaticFiles() {
        files = Map.of(
                "/", load("index.html", "text/html; charset=utf-8"),
                "/app.js", load("app.js", "text/javascript; charset=utf-8"),
                "/style.css", load("style.css", "text/css; charset=utf-8"),
                "/favicon.svg", load("favicon.svg", "image/svg+xml"));
    }

    /** The file served at {@code path}, or null. */
    File at(String path) {
        return files.get(path);
    }

    private static File load(String name, String contentType) {
        try (InputStream in = StaticFiles.class.getResourceAsStream(ROOT + name)) {
            if (in == null) {
                throw new IllegalStateException("the dashboard's " + name + " is missing from the jar");
            }
            return new File(contentType, in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
