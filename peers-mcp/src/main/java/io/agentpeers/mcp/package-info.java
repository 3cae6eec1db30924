/** The stdio MCP server ({@code peers mcp}): a broker client that gives an agent the peers tools and, in Claude Code, pushes messages as channel notifications. */
package io.agentpeers.mcp;
