/** The broker's connection layer: selector loops that frame lines and hand them, in order per connection, to a handler on a small worker pool. */
package io.agentpeers.broker.server;
