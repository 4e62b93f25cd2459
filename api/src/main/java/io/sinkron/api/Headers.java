package io.sinkron.api;

/** HTTP headers of the contract (docs/api.md), named once for the nodes and the client. */
public final class Headers {

    /** Who sends a mutating request: with {@link #SEQUENCE}, what makes a retry apply at most once. */
    public static final String CLIENT_ID = "Sinkron-Client-Id";

    /** The sender's sequence number under its {@link #CLIENT_ID}; grows with every new request. */
    public static final String SEQUENCE = "Sinkron-Sequence";

    /**
     * On answers about one name (a lock): the URL of the node that leads the name's shard, as the answering node knew
     * it. A client may send the next request about that name straight there and save the hop through another node;
     * any node still accepts it.
     */
    public static final String SHARD_LEADER = "Sinkron-Shard-Leader";

    private Headers() {}
}
