package io.agentpeers.protocol;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * The version of this build of peers: the pom's, written into {@code version.properties} by the
 * build's resource filtering, so no Java file repeats it.
 */
public final class PeersVersion {
    /** This library's version, for example {@code 0.1.0} or {@code 0.2.0-SNAPSHOT}. */
    public static final String VERSION = read();

    private static final String RESOURCE = "version.properties";

    private PeersVersion() {}

    private static String read() {
        try (InputStream in = PeersVersion.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing next to " + PeersVersion.class.getName()
                        + ": peers-client was not built by Maven");
            }
            Properties properties = new Properties();
            properties.load(in);
            String version = properties.getProperty("version", "");
            if (version.isBlank() || version.contains("${")) {
                throw new IllegalStateException(RESOURCE + " was not filtered by the build: version=" + version);
            }
            return version;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE, e);
        }
    }
}
