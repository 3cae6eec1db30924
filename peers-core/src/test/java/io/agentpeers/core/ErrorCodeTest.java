package io.agentpeers.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ErrorCodeTest {

    @Test
    void everyCodeHasOneLowerSnakeCaseWireNameThatReadsBack() {
        for (ErrorCode code : ErrorCode.values()) {
            assertTrue(code.wireName().matches("[a-z]+(_[a-z0-9]+)*"), code.wireName());
            assertEquals(code.name().toLowerCase(java.util.Locale.ROOT), code.wireName(), "named as it is sent");
            assertEquals(Optional.of(code), ErrorCode.fromWireName(code.wireName()));
        }
        assertEquals(Optional.empty(), ErrorCode.fromWireName("no_such_code"));
        assertEquals(Optional.empty(), ErrorCode.fromWireName(null));
    }

    @Test
    void everyCodeIsDocumentedInTheProtocol() throws Exception {
        String protocol = Files.readString(Path.of("..", "docs", "protocol.md"));
        String errors = protocol.substring(protocol.indexOf("## Errors"));
        for (ErrorCode code : ErrorCode.values()) {
            assertTrue(
                    errors.contains("`" + code.wireName() + "`"),
                    code.wireName() + " is missing from docs/protocol.md");
        }
    }
}
