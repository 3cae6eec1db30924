/** For tests and embedders: the in-memory store, a process table and clock to drive, and the contract suites every adapter runs. */
package io.agentpeers.testkit;
