package io.sinkron.consensus.raft;

// Proves the pure pieces against simple models with jqwik: quorum math against brute-force counting, the log's
// matching and truncation against a plain list, and progress tracking's monotonic match index.

import static org.assertj.core.api.Assertions.assertThat;

import io.sinkron.consensus.raft.log.RaftLog;
import io.sinkron.consensus.raft.quorum.Quorum;
import io.sinkron.consensus.raft.replication.Progress;
import io.sinkron.schemas.raft.ClusterConfig;
import io.sinkron.schemas.raft.EntryPayload;
import io.sinkron.schemas.raft.LogEntry;
import io.sinkron.schemas.raft.SnapshotMeta;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

class RaftPurePiecesPropertyTest {

    @Property
    void committedIndexIsTheLargestIndexHeldByAMajority(
            @ForAll @Size(min = 1, max = 9) List<@IntRange(max = 50) Integer> matches) {
        Set<Integer> voters = new TreeSet<>();
        Map<Integer, Long> matchIndex = new HashMap<>();
        for (int i = 0; i < matches.size(); i++) {
            voters.add(i);
            matchIndex.put(i, (long) matches.get(i));
        }
        long committed = Quorum.committedIndex(voters, matchIndex);
        long brute = 0;
        for (long candidate = 0; candidate <= 50; candidate++) {
            final long c = candidate;
            long holders = matches.stream().filter(m -> m >= c).count();
            if (holders >= Quorum.majority(voters.size())) {
                brute = candidate;
            }
        }
        assertThat(committed).isEqualTo(brute);
    }

    @Property
    void twoMajoritiesAlwaysIntersect(@ForAll @IntRange(min = 1, max = 15) int voters) {
        assertThat(2 * Quorum.majority(voters)).isGreaterThan(voters);
    }

    @Property
    void logMatchesAPlainListThroughAppendsAndTruncations(
            @ForAll @Size(max = 60) List<@IntRange(min = -3, max = 3) Integer> operations) {
        RaftLog log = new RaftLog(SnapshotMeta.bootstrap(ClusterConfig.ofVoters(Set.of(0))), List.of());
        List<Long> model = new ArrayList<>();
        long term = 1;
        for (int op : operations) {
            if (op >= 0) {
                term += op == 3 ? 1 : 0;
                log.append(new LogEntry(term, model.size() + 1, new EntryPayload.Noop()));
                model.add(term);
            } else if (!model.isEmpty()) {
                int from = Math.max(1, model.size() + op + 1);
                log.truncateFrom(from);
                model.subList(from - 1, model.size()).clear();
            }
        }
        assertThat(log.lastIndex()).isEqualTo(model.size());
        for (int i = 1; i <= model.size(); i++) {
            assertThat(log.term(i)).isEqualTo(model.get(i - 1));
            assertThat(log.matches(i, model.get(i - 1))).isTrue();
            long first = log.firstIndexOfTermEndingAt(i);
            assertThat(log.term(first)).isEqualTo(model.get(i - 1));
            assertThat(first == 1 || log.term(first - 1) != model.get(i - 1)).isTrue();
        }
        assertThat(log.term(model.size() + 1)).isEqualTo(RaftLog.UNKNOWN_TERM);
    }

    @Property
    void progressMatchNeverDecreasesAndWindowIsBounded(
            @ForAll @Size(max = 80) List<@IntRange(min = 0, max = 40) Integer> acks,
            @ForAll @IntRange(min = 1, max = 4) int window) {
        Progress pr = new Progress(1, window);
        long match = 0;
        long last = 0;
        for (int ack : acks) {
            while (pr.canSendAppend() && last < 40) {
                last++;
                pr.sentAppend(last);
            }
            assertThat(pr.inflightCount()).isLessThanOrEqualTo(window);
            pr.onAppendSuccess(Math.min(ack, last));
            assertThat(pr.match()).isGreaterThanOrEqualTo(match);
            assertThat(pr.next()).isGreaterThan(pr.match());
            match = pr.match();
        }
    }
}
