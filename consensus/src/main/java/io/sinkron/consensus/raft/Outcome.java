package io.sinkron.consensus.raft;

/**
 * The immediate answer to a request ({@code propose}, {@code readIndex}, {@code transferLeadership}, {@code
 * changeMembership}). Acceptance promises nothing about the end result: an accepted proposal commits only if it
 * appears in {@link Ready#committedEntries()} at {@code index} with {@code term}.
 */
public sealed interface Outcome {

    /** Taken in; {@code index}/{@code term} name the log entry created (0/0 for requests that create none). */
    record Accepted(long index, long term) implements Outcome {}

    /** This node is not the leader; {@code leaderHint} is the leader it knows of, or {@link HardState#NONE}. */
    record NotLeader(int leaderHint) implements Outcome {}

    /** Refused by a rule or a limit (why in {@code reason}); retrying later may succeed. */
    record Refused(String reason) implements Outcome {}
}
