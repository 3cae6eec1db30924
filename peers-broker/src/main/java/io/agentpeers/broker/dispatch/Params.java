package io.agentpeers.broker.dispatch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import io.agentpeers.protocol.InvalidParamsException;
import java.util.ArrayList;
import java.util.List;

/** Typed, checked access to a request's params; every mistake is an {@link InvalidParamsException} naming the field. */
final class Params {
    private final JsonNode node;

    Params(JsonNode node) {
        if (node != null && !node.isNull() && !node.isObject()) {
            throw new InvalidParamsException("params must be a JSON object");
        }
        this.node = node == null ? NullNode.getInstance() : node;
    }

    private JsonNode value(String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : value;
    }

    String requiredString(String field) {
        String value = optionalString(field);
        if (value == null) {
            throw new InvalidParamsException("'" + field + "' is required (a string)");
        }
        return value;
    }

    String optionalString(String field) {
        JsonNode value = value(field);
        if (value == null) {
            return null;
        }
        if (!value.isTextual()) {
            throw new InvalidParamsException("'" + field + "' must be a string");
        }
        return value.asText();
    }

    Long optionalLong(String field) {
        JsonNode value = value(field);
        if (value == null) {
            return null;
        }
        if (!value.isIntegralNumber() || !value.canConvertToLong()) {
            throw new InvalidParamsException("'" + field + "' must be an integer");
        }
        return value.asLong();
    }

    long requiredLong(String field) {
        Long value = optionalLong(field);
        if (value == null) {
            throw new InvalidParamsException("'" + field + "' is required (an integer)");
        }
        return value;
    }

    int intOr(String field, int fallback, int min, int max) {
        Long value = optionalLong(field);
        if (value == null) {
            return fallback;
        }
        if (value < min || value > max) {
            throw new InvalidParamsException("'" + field + "' must be between " + min + " and " + max);
        }
        return value.intValue();
    }

    List<Long> requiredIds(String field) {
        JsonNode value = value(field);
        if (value == null || !value.isArray()) {
            throw new InvalidParamsException("'" + field + "' is required (an array of message ids)");
        }
        if (value.size() > 10_000) {
            throw new InvalidParamsException("'" + field + "' holds more than 10000 ids; split it");
        }
        List<Long> ids = new ArrayList<>();
        for (JsonNode id : value) {
            if (!id.isIntegralNumber()) {
                throw new InvalidParamsException("'" + field + "' must hold integers only");
            }
            ids.add(id.asLong());
        }
        return ids;
    }

    /** An array of strings, or an empty list when absent; at most {@code max} of them. */
    List<String> stringsOr(String field, int max) {
        JsonNode value = value(field);
        if (value == null) {
            return List.of();
        }
        if (!value.isArray()) {
            throw new InvalidParamsException("'" + field + "' must be an array of strings");
        }
        if (value.size() > max) {
            throw new InvalidParamsException("'" + field + "' holds more than " + max + " entries");
        }
        List<String> strings = new ArrayList<>();
        for (JsonNode item : value) {
            if (!item.isTextual()) {
                throw new InvalidParamsException("'" + field + "' must hold strings only");
            }
            strings.add(item.asText());
        }
        return strings;
    }

    boolean booleanOr(String field, boolean fallback) {
        JsonNode value = value(field);
        if (value == null) {
            return fallback;
        }
        if (!value.isBoolean()) {
            throw new InvalidParamsException("'" + field + "' must be true or false");
        }
        return value.asBoolean();
    }

    boolean has(String field) {
        return node.has(field);
    }
}
