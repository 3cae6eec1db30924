package io.agentpeers.mcp;

import io.modelcontextprotocol.json.schema.JsonSchemaValidator;
import java.util.List;
import java.util.Map;

/**
 * Checks tool arguments against the small schemas of {@link PeerTools}: required keys, strings, integers,
 * booleans, arrays of strings, enums. It replaces the SDK's default (a general JSON Schema library) because that one costs about a
 * tenth of a second at start, and every agent session starts a server.
 */
final class ArgumentsValidator implements JsonSchemaValidator {

    @Override
    public ValidationResponse validate(Map<String, Object> schema, Object instance) {
        if (!(instance instanceof Map<?, ?> arguments)) {
            return ValidationResponse.asInvalid("the arguments must be a JSON object");
        }
        Object required = schema.get("required");
        if (required instanceof List<?> keys) {
            for (Object key : keys) {
                if (arguments.get(key) == null) {
                    return ValidationResponse.asInvalid("the argument '" + key + "' is required");
                }
            }
        }
        if (schema.get("properties") instanceof Map<?, ?> properties) {
            for (Map.Entry<?, ?> property : properties.entrySet()) {
                Object value = arguments.get(property.getKey());
                if (value != null && property.getValue() instanceof Map<?, ?> spec) {
                    String problem = check(property.getKey().toString(), spec, value);
                    if (problem != null) {
                        return ValidationResponse.asInvalid(problem);
                    }
                }
            }
        }
        return ValidationResponse.asValid(null);
    }

    private static String check(String key, Map<?, ?> spec, Object value) {
        Object type = spec.get("type");
        if ("string".equals(type) && !(value instanceof String)) {
            return "the argument '" + key + "' must be a string";
        }
        if ("integer".equals(type) && !isInteger(value)) {
            return "the argument '" + key + "' must be a whole number";
        }
        if ("boolean".equals(type) && !isBoolean(value)) {
            return "the argument '" + key + "' must be true or false";
        }
        if ("array".equals(type) && !(value instanceof String)) { // one string for a list of one: models do that
            if (!(value instanceof List<?> items)) {
                return "the argument '" + key + "' must be a list";
            }
            if (spec.get("items") instanceof Map<?, ?> itemSpec && "string".equals(itemSpec.get("type"))) {
                for (Object item : items) {
                    if (!(item instanceof String)) {
                        return "the argument '" + key + "' must be a list of strings";
                    }
                }
            }
        }
        if (spec.get("enum") instanceof List<?> allowed && !allowed.contains(value)) {
            return "the argument '" + key + "' must be one of " + allowed;
        }
        return null;
    }

    private static boolean isBoolean(Object value) {
        return value instanceof Boolean
                || (value instanceof String text && text.strip().matches("(?i)true|false")); // quoted, as numbers
    }

    private static boolean isInteger(Object value) {
        if (value instanceof Integer
                || value instanceof Long
                || value instanceof Short
                || value instanceof Byte
                || value instanceof java.math.BigInteger) {
            return true;
        }
        if (value instanceof Number number) {
            double d = number.doubleValue();
            return d == Math.rint(d) && !Double.isInfinite(d);
        }
        if (value instanceof String text) {
            return text.strip().matches("-?\\d{1,18}"); // models sometimes quote numbers
        }
        return false;
    }
}
