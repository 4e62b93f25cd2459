package io.sinkron.nodes.locks;

import java.util.List;

/** The JSON bodies of the lock API (docs/api.md). Session ids travel as decimal strings: 63-bit numbers. */
public final class LockApi {

    private LockApi() {}

    /** {@code POST /v1/sessions}. */
    public record SessionRequest(Long ttlMs) {}

    /** A session's state. */
    public record SessionBody(String sessionId, long ttlMs, long deadlineMs) {}

    /** {@code POST /v1/locks/{name}/acquire}. */
    public record AcquireRequest(String sessionId, String mode, Long waitMs, Long lockDelayMs) {}

    /** A grant. */
    public record Grant(String name, String sessionId, String mode, long token) {}

    /** {@code POST /v1/locks/{name}/release}. */
    public record ReleaseRequest(String sessionId, Long token) {}

    /** A release. */
    public record Released(String name, long token) {}

    /** An admin force-release. */
    public record ForceReleased(String name, int released) {}

    /** One holder. */
    public record Holder(String sessionId, String mode, long token, long sinceMs) {}

    /** One waiter. */
    public record Waiter(String sessionId, String mode, boolean upgrade, long sinceMs, long deadlineMs) {}

    /** {@code GET /v1/locks/{name}}. */
    public record LockBody(String name, List<Holder> holders, List<Waiter> waiters, long delayUntilMs) {}

    /** {@code GET /v1/locks}. */
    public record LockList(List<LockBody> locks, String nextCursor) {}

    /** One step of a deadlock cycle: this session waits for this lock. */
    public record CycleStepBody(String sessionId, String lock) {}
}
