package io.agentpeers.process;

import io.agentpeers.core.port.ProcessControl;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Picks the {@link ProcessControl} for the machine this JVM runs on. */
public final class ProcessControls {
    /** System property that forces one implementation: {@code procfs} or {@code portable}. */
    public static final String PROPERTY = "peers.process.control";
    /** Environment variable with the same effect; the system property wins. */
    public static final String ENV = "PEERS_PROCESS_CONTROL";

    private static final Logger LOG = LoggerFactory.getLogger(ProcessControls.class);

    private ProcessControls() {}

    /**
     * {@code /proc} where the system has one (Linux), else the JDK's {@link ProcessHandle} (macOS and
     * other Unixes); {@value #PROPERTY} or {@value #ENV} may force either (tests do).
     */
    public static ProcessControl forThisMachine() {
        String forced = System.getProperty(PROPERTY);
        if (forced == null || forced.isBlank()) {
            forced = System.getenv(ENV);
        }
        Kind kind = choose(forced, ProcfsProcessControl.isSupported());
        LOG.debug("process control: {}", kind);
        return kind == Kind.PROCFS ? new ProcfsProcessControl() : new PortableProcessControl();
    }

    enum Kind {
        PROCFS,
        PORTABLE
    }

    static Kind choose(String forced, boolean procfsReadable) {
        if (forced != null && !forced.isBlank()) {
            return switch (forced.strip().toLowerCase(Locale.ROOT)) {
                case "procfs" -> {
                    if (!procfsReadable) {
                        throw new IllegalStateException("procfs was asked for (" + PROPERTY + " or " + ENV
                                + "), but this system has no readable /proc");
                    }
                    yield Kind.PROCFS;
                }
                case "portable" -> Kind.PORTABLE;
                default ->
                    throw new IllegalArgumentException(
                            "unknown process control '" + forced + "': use procfs or portable");
            };
        }
        return procfsReadable ? Kind.PROCFS : Kind.PORTABLE;
    }
}
