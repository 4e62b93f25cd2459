package io.sinkron.nodes.storage.postgres;

/**
 * The node's PostgreSQL could not be started, reached or migrated. The message is one line for the operator: what
 * failed, where, and the underlying reason.
 */
public final class StorageStartException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public StorageStartException(String message) {
        super(message);
    }

    public StorageStartException(String message, Throwable cause) {
        super(message, cause);
    }
}
