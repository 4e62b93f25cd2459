package io.sinkron.nodes.lock;

import java.util.List;
import java.util.Objects;

/**
 * One page of locks sorted by name.
 *
 * @param locks the page
 * @param nextCursor pass it as {@code cursor} for the next page; empty when this is the last page
 */
public record LockPage(List<LockView> locks, String nextCursor) {

    public LockPage {
        locks = List.copyOf(locks);
        Objects.requireNonNull(nextCursor, "nextCursor");
    }
}
