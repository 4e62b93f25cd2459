package io.sinkron.nodes.lock;

import java.util.List;

/**
 * A live session as of the applied index.
 *
 * @param session the session id (chosen by the node, the same on every shard)
 * @param ttlMs how long it lives past a keep-alive
 * @param deadlineMs log time at which it expires unless kept alive
 * @param held names it holds, sorted
 * @param waiting names it waits for, sorted
 */
public record SessionView(long session, long ttlMs, long deadlineMs, List<String> held, List<String> waiting) {

    public SessionView {
        held = List.copyOf(held);
        waiting = List.copyOf(waiting);
    }
}
