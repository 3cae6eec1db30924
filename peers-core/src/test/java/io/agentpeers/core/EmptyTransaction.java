package io.agentpeers.core;

import io.agentpeers.core.port.StoreTransaction;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Optional;

/** For stores of the writer's tests that only script failures: a transaction that holds nothing. */
final class EmptyTransaction {
    private EmptyTransaction() {}

    /** Zero, false, empty for every question; writes go nowhere. */
    static StoreTransaction create() {
        return (StoreTransaction) Proxy.newProxyInstance(
                StoreTransaction.class.getClassLoader(),
                new Class<?>[] {StoreTransaction.class},
                (proxy, method, args) -> {
                    Class<?> type = method.getReturnType();
                    if (type == int.class || type == long.class) {
                        return type == int.class ? (Object) 0 : (Object) 0L;
                    }
                    if (type == boolean.class) {
                        return false;
                    }
                    if (type == Optional.class) {
                        return Optional.empty();
                    }
                    if (type == List.class) {
                        return List.of();
                    }
                    return null;
                });
    }
}
