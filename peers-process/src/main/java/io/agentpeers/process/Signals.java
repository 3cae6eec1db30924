package io.agentpeers.process;

/** Signals through the JDK, which needs no native code of ours on any Unix. */
final class Signals {
    private Signals() {}

    /** SIGTERM to {@code pid} (never to this JVM); whether the system took it. */
    static boolean terminate(long pid) {
        if (pid <= 0 || pid == ProcessHandle.current().pid()) {
            return false;
        }
        return ProcessHandle.of(pid).map(ProcessHandle::destroy).orElse(false);
    }
}
