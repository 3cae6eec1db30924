/** A benchmark that starts a real broker process and measures it the way its users feel it (issue 6). */
package io.agentpeers.bench;
