/** The in-VM transport: a broker embedded in a program and that program's clients, over pipes; no socket file, no native library. */
package io.agentpeers.transport.invm;
