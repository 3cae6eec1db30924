/** The runnable app: the composition root that wires the CLI, the MCP server and the broker into one jar. */
package io.agentpeers.app;
