package io.agentpeers.protocol.wire;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

/**
 * The JSON mapper every part of the wire protocol uses, so both ends agree on one dialect:
 * one line per value (never indented), duplicate keys and trailing tokens rejected, unknown
 * properties ignored (newer peers may add fields), absent values (null, empty Optional) omitted,
 * times as ISO-8601 strings.
 */
public final class WireJson {
    private static final ObjectMapper SHARED = newMapper();

    private WireJson() {}

    /** The shared mapper. Thread-safe; do not reconfigure it. */
    public static ObjectMapper mapper() {
        return SHARED;
    }

    /** A fresh mapper with the wire settings, for a caller that needs to add its own modules. */
    public static ObjectMapper newMapper() {
        return JsonMapper.builder()
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .disable(SerializationFeature.INDENT_OUTPUT)
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .serializationInclusion(JsonInclude.Include.NON_ABSENT)
                .addModule(new Jdk8Module())
                .addModule(new JavaTimeModule())
                .build();
    }
}
