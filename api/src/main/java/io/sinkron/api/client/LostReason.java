package io.sinkron.api.client;

import java.util.Objects;

/**
 * Why a {@link Session} was lost. Once lost, the session is no longer kept alive: every lock it held must be assumed
 * gone (another session may hold it already), and work guarded by those locks should stop.
 */
public sealed interface LostReason {

    /**
     * The cluster answered that the session does not exist: it expired, or was closed elsewhere.
     *
     * @param detail the server's explanation, may be empty
     */
    record Expired(String detail) implements LostReason {

        public Expired {
            Objects.requireNonNull(detail, "detail");
        }
    }

    /**
     * No keep-alive succeeded for a whole ttl, so the cluster may have expired the session already.
     *
     * @param lastFailure the failure of the latest keep-alive
     */
    record KeepAliveFailing(SinkronException lastFailure) implements LostReason {

        public KeepAliveFailing {
            Objects.requireNonNull(lastFailure, "lastFailure");
        }
    }

    /** The client was closed while the session was open, so nothing keeps the session alive any more. */
    record ClientClosed() implements LostReason {}
}
