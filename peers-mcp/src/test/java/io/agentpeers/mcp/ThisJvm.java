package io.agentpeers.mcp;

import com.sun.security.auth.module.UnixSystem;
import io.agentpeers.testkit.ProcessTable;

/** This JVM as the broker should see it in the in-process tests: a process under the agent (its real parent). */
final class ThisJvm {
    private ThisJvm() {}

    /** The pid an MCP server in this JVM registers as its agent: the JVM's parent. */
    static long agentPid() {
        return ProcessHandle.current().parent().orElseThrow().pid();
    }

    /**
     * A process table holding only this JVM and its parent, so that the broker verifies the agent as it
     * would on the machine while kill_peer can signal nothing real.
     */
    static ProcessTable processTable() {
        int uid = (int) new UnixSystem().getUid();
        ProcessTable processes = new ProcessTable();
        processes.start(agentPid(), 1, uid, 11);
        processes.start(ProcessHandle.current().pid(), agentPid(), uid, 22);
        return processes;
    }
}
