package io.agentpeers.mcp;

import io.modelcontextprotocol.spec.McpSchema.ToolAnnotations;

/**
 * The MCP annotations of the tools: what a tool does to the world, so that a client can decide which calls
 * need its user's approval. Codex decides by them in its default mode: a read-only tool runs, a tool that is
 * neither destructive nor open-world runs, a destructive one asks (and in {@code codex exec}, which never
 * asks, is refused). Codex takes a missing {@code destructiveHint} or {@code openWorldHint} as true, so both
 * are always sent. A hint whose spec default is true of the tool ({@code readOnlyHint} and {@code
 * idempotentHint} false) is left out, and so are the write hints of read-only tools, which the spec says mean
 * nothing there: every byte counts in a {@code tools/list} kept under 4 KB.
 */
final class ToolHints {
    /** Reads the broker and changes nothing. */
    static final ToolAnnotations READS = new ToolAnnotations(null, true, null, null, false, null);

    /** Changes only peers state (a message, a read mark, a summary); another call adds another effect. */
    static final ToolAnnotations WRITES = new ToolAnnotations(null, null, false, null, false, null);

    /** Changes only peers state, and a second call with the same arguments changes nothing more. */
    static final ToolAnnotations SETS = new ToolAnnotations(null, null, false, true, false, null);

    /** Ends another agent's session. A name can pass to a new agent, so a second call may end another one. */
    static final ToolAnnotations DESTROYS = new ToolAnnotations(null, null, true, null, false, null);

    private ToolHints() {}
}
