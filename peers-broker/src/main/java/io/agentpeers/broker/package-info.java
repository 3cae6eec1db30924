/** The broker process: a PeerNetwork served over Unix and TCP listeners, with its lock, sweep and /proc inspection. */
package io.agentpeers.broker;
