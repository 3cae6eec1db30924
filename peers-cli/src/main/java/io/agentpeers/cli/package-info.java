/** The peers command line: picocli commands that talk to the broker as a client, install the MCP server, and show a demo. */
package io.agentpeers.cli;
