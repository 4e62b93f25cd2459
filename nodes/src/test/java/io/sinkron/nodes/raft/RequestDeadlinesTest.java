package io.sinkron.nodes.raft;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class RequestDeadlinesTest {

    private static final long SECOND = 1_000_000_000L;

    @Test
    void aRequestUnansweredPastItsLimitIsAnsweredUnavailableWithItsRetrySafety() {
        RequestDeadlines deadlines = new RequestDeadlines(Duration.ofSeconds(10));
        CompletableFuture<RaftReply> proposal = new CompletableFuture<>();
        CompletableFuture<RaftReply> read = new CompletableFuture<>();
        deadlines.track(proposal, false, 0);
        deadlines.track(read, true, SECOND);

        assertThat(deadlines.sweep(10 * SECOND - 1)).isZero();
        assertThat(proposal).isNotDone();

        assertThat(deadlines.sweep(10 * SECOND)).isEqualTo(1);
        assertThat(proposal.join()).isEqualTo(new RaftReply.Unavailable("no answer within 10000 ms", false));
        assertThat(read).isNotDone();

        assertThat(deadlines.sweep(11 * SECOND)).isEqualTo(1);
        assertThat(read.join()).isEqualTo(new RaftReply.Unavailable("no answer within 10000 ms", true));
        assertThat(deadlines.size()).isZero();
    }

    @Test
    void answeredRequestsKeepTheirAnswerAndLeaveTheQueueOnceTheyReachItsHead() {
        RequestDeadlines deadlines = new RequestDeadlines(Duration.ofSeconds(10));
        CompletableFuture<RaftReply> slow = new CompletableFuture<>();
        CompletableFuture<RaftReply> fast = new CompletableFuture<>();
        CompletableFuture<RaftReply> later = new CompletableFuture<>();
        deadlines.track(fast, false, 0);
        deadlines.track(slow, false, 0);
        deadlines.track(later, false, 0);
        RaftReply done = new RaftReply.Done(new byte[] {1});
        fast.complete(done);
        later.complete(done);

        // fast is answered and at the head: it goes; slow is not, and holds later behind it.
        assertThat(deadlines.sweep(SECOND)).isZero();
        assertThat(deadlines.size()).isEqualTo(2);

        slow.complete(done);
        assertThat(deadlines.sweep(2 * SECOND)).isZero();
        assertThat(deadlines.size()).isZero();
        assertThat(fast.join()).isSameAs(done);
        assertThat(later.join()).isSameAs(done);
    }
}
