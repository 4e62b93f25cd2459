package io.sinkron.schemas.raft;

import java.io.Serial;

/**
 * Bytes that are not a valid Raft message of a supported format version: truncated, oversized, unknown tags, garbage
 * after the end, or fields that violate the records' rules. The channel that received them should drop them (and may
 * close the connection); they must never reach the core.
 */
public final class MalformedMessageException extends RuntimeException {

    @Serial
    private static final long serialVersionUID = 1L;

    public MalformedMessageException(String message) {
        super(message);
    }

    public MalformedMessageException(String message, Throwable cause) {
        super(message, cause);
    }
}
