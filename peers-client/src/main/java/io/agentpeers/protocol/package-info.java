/** The peers wire protocol as clients see it: values, paths, and the Java client. */
package io.agentpeers.protocol;
