/** The Unix domain socket transport (junixsocket): a private socket file and each caller's pid, uid and gid from the kernel. */
package io.agentpeers.transport.unix;
