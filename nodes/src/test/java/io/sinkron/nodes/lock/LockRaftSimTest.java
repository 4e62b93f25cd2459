package io.sinkron.nodes.lock;

// Proves the lock service keeps mutual exclusion and fencing-token order when it runs replicated: for lock.sim.seeds
// seeds (default 200) a 3-node ScriptedCluster runs LockStateMachine under a seeded schedule of skewed ticks, delayed
// and dropped messages, isolations and crashes, while four clients open sessions and acquire, release and keep alive
// through whichever node leads. After every step, on every replica that is up: the state's invariants, at most one
// exclusive holder per lock and never with a shared one, and per lock Granted tokens that never go back (an exclusive
// one strictly above every earlier token); every replica (and every incarnation) reports the same events for the same
// entry. At the end, healed and settled, every replica has the same applied index and byte-identical snapshots. A
// failure names the seed and the one-line command that replays it. The model-based LockStateMachinePropertyTest
// covers the rules; this test covers the replication around them.

import static org.assertj.core.api.Assertions.assertThat;

import io.sinkron.consensus.raft.Outcome;
import io.sinkron.consensus.raft.RaftConfig;
import io.sinkron.consensus.raft.RaftNode;
import io.sinkron.consensus.raft.Role;
import io.sinkron.consensus.sim.NodeFactory;
import io.sinkron.consensus.sim.ScriptedCluster;
import io.sinkron.consensus.sim.SimulationFailure;
import io.sinkron.consensus.sim.StorageFault;
import io.sinkron.schemas.raft.EntryPayload;
import io.sinkron.schemas.raft.LogEntry;
import io.sinkron.schemas.raft.RaftMessage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LockRaftSimTest {

    private static final int NODES = 3;
    private static final int CLIENTS = 4;
    private static final int STEPS = 3_000;
    /** Faults stop here: every link heals, every node restarts, and the clients go on without faults. */
    private static final int FAULT_STEPS = 2_400;
    /** Bound on the quiet rounds that must bring every replica to the same applied index. */
    private static final int SETTLE_ROUNDS_MAX = 2_000;
    /** A proposal not applied within this many steps is proposed again (same client sequence: at most once). */
    private static final int RETRY_STEPS = 150;

    /** The full invariant check of the state is slower than the views' checks, so it runs every few steps. */
    private static final int VERIFY_EVERY_STEPS = 4;

    private static final long TTL_MS = 5_000;
    private static final long[] WAITS_MS = {0, 0, 2_000, 10_000};
    private static final long[] DELAYS_MS = {0, 0, 1_000};
    private static final List<String> NAMES = List.of("a", "b", "c");
    /** Snapshots every 50 entries in 256-byte chunks, so lagging followers are caught up by InstallSnapshot. */
    private static final RaftConfig RAFT =
            RaftConfig.defaults().withTimeouts(10, 2).withSnapshots(50, 256);

    static String rerunCommand(long seed) {
        return "./mvnw -pl nodes test -Dtest=LockRaftSimTest -Dsim.seed=" + seed
                + " -Dspotless.check.skip=true -Dsurefire.failIfNoSpecifiedTests=false";
    }

    static List<Long> seeds() {
        String one = System.getProperty("sim.seed");
        if (one != null && !one.isBlank()) {
            return List.of(Long.parseLong(one.trim()));
        }
        int count = Integer.parseInt(System.getProperty("lock.sim.seeds", "200"));
        List<Long> seeds = new ArrayList<>();
        for (long s = 1; s <= count; s++) {
            seeds.add(s);
        }
        return seeds;
    }

    /** What the runs exercised, summed over seeds. */
    static final class Coverage {
        long committed;
        long exclusiveGrants;
        long sharedGrants;
        long upgrades;
        long waits;
        long releases;
        long lost;
        long expiries;
        long leaderTerms;
        long crashes;
        long isolations;
        long retries;
        long snapshotsCompared;

        @Override
        public String toString() {
            return "committed=" + committed + " exclusiveGrants=" + exclusiveGrants + " sharedGrants=" + sharedGrants
                    + " upgrades=" + upgrades + " waits=" + waits + " releases=" + releases + " lost=" + lost
                    + " expiries=" + expiries + " leaderTerms=" + leaderTerms + " crashes=" + crashes
                    + " isolations=" + isolations + " retries=" + retries + " snapshotsCompared=" + snapshotsCompared;
        }
    }

    @Test
    void everySeedKeepsMutualExclusionAndFencingOrder() {
        List<Long> seeds = seeds();
        System.out.println(
                "LockRaftSimTest: seeds " + seeds.getFirst() + ".." + seeds.getLast() + " (" + seeds.size() + " runs)");
        List<String> failures = new ArrayList<>();
        Coverage coverage = new Coverage();
        long started = System.nanoTime();
        for (long seed : seeds) {
            try {
                new Run(seed, coverage).execute();
            } catch (SimulationFailure | AssertionError | IllegalStateException e) {
                failures.add("seed " + seed + ": " + e + "\n  rerun: " + rerunCommand(seed));
                if (failures.size() >= 5) {
                    break;
                }
            }
        }
        System.out.println("LockRaftSimTest: " + seeds.size() + " seeds, " + (System.nanoTime() - started) / 1_000_000
                + " ms; coverage: " + coverage);
        assertThat(failures).as(String.join("\n", failures)).isEmpty();
        if (seeds.size() >= 100) {
            // The checks above prove little unless the runs reached the interesting paths.
            assertThat(coverage.exclusiveGrants).as("exclusive grants").isGreaterThan(20L * seeds.size());
            assertThat(coverage.sharedGrants).as("shared grants").isGreaterThan(5L * seeds.size());
            assertThat(coverage.upgrades).as("upgrade requests").isPositive();
            assertThat(coverage.waits).as("queued acquires").isGreaterThan(seeds.size());
            assertThat(coverage.lost).as("holds lost to expiry").isPositive();
            assertThat(coverage.leaderTerms).as("leader terms").isGreaterThan(2L * seeds.size());
            assertThat(coverage.crashes).as("crashes").isGreaterThan(seeds.size() / 2);
            assertThat(coverage.isolations).as("isolations").isGreaterThan(seeds.size() / 2);
            assertThat(coverage.retries).as("client retries").isPositive();
            assertThat(coverage.snapshotsCompared).as("snapshots compared").isEqualTo(NODES * (long) seeds.size());
        }
    }

    /** One client: a session of its own, one command in flight at a time, retried until it is applied. */
    static final class Client {
        final String id;
        final long session;
        long sequence;
        byte[] pending;
        long pendingIndex;
        long pendingTerm;
        int proposedAtStep;
        /** A paused client (a GC pause, a partition on its side) sends nothing; long enough, its session expires. */
        int silentUntil;

        Client(int number) {
            this.id = "client-" + number;
            this.session = number + 1;
        }
    }

    /** One seeded run. */
    static final class Run {
        final long seed;
        final Coverage coverage;
        final SplittableRandom random;
        final ScriptedCluster cluster;
        final List<Client> clients = new ArrayList<>();
        final int[] tickPercent = new int[NODES];
        final long[] skewMs = new long[NODES];
        final int[] downUntil = new int[NODES];
        /** Per replica and lock: the largest fencing token it granted since its last start. */
        final List<Map<String, Long>> tokens = new ArrayList<>();
        /** Per log index: the events the first replica to apply it reported. */
        final Map<Long, List<LockEvent>> eventsByIndex = new HashMap<>();

        int isolated = -1;
        int isolatedUntil;
        long leaderTerm;
        long nowMs = 1_000;
        int step;

        Run(long seed, Coverage coverage) {
            this.seed = seed;
            this.coverage = coverage;
            this.random = new SplittableRandom(seed);
            this.cluster = new ScriptedCluster(
                    seed, NODES, RAFT, StorageFault.NONE, NodeFactory.STANDARD, LockStateMachine::new);
            for (int i = 0; i < NODES; i++) {
                tickPercent[i] = 60 + random.nextInt(41);
                skewMs[i] = random.nextLong(-200, 201);
                tokens.add(new HashMap<>());
            }
            for (int c = 0; c < CLIENTS; c++) {
                clients.add(new Client(c));
            }
        }

        void execute() {
            for (step = 0; step < STEPS; step++) {
                nowMs += 1 + random.nextInt(20);
                if (step < FAULT_STEPS) {
                    injectFaults();
                } else if (step == FAULT_STEPS) {
                    healEverything();
                }
                tickSome();
                exchangeMessages();
                int leader = leader();
                if (leader >= 0) {
                    lead(leader);
                    for (Client client : clients) {
                        act(client, leader);
                    }
                }
                checkEveryReplica();
            }
            settle();
        }

        // ---- faults: at most one node cut off and one node down at a time, so a majority can always progress ----

        private void injectFaults() {
            if (isolated >= 0 && step >= isolatedUntil) {
                cluster.heal();
                isolated = -1;
            } else if (isolated < 0 && random.nextInt(400) == 0) {
                isolated = random.nextInt(NODES);
                isolatedUntil = step + 20 + random.nextInt(300);
                cluster.isolate(isolated);
                coverage.isolations++;
            }
            for (int i = 0; i < NODES; i++) {
                if (!cluster.isUp(i) && step >= downUntil[i]) {
                    restart(i);
                }
            }
            if (random.nextInt(500) == 0 && allUp()) {
                int victim = random.nextInt(NODES);
                cluster.crash(victim);
                downUntil[victim] = step + 10 + random.nextInt(300);
                coverage.crashes++;
            }
        }

        private void healEverything() {
            cluster.heal();
            isolated = -1;
            for (int i = 0; i < NODES; i++) {
                if (!cluster.isUp(i)) {
                    restart(i);
                }
            }
        }

        private void restart(int id) {
            cluster.restart(id);
            // The replica replays entries it applied before the crash; order is checked from its restored state on.
            Map<String, Long> restored = tokens.get(id);
            restored.clear();
            for (String name : NAMES) {
                machine(id).lock(name).ifPresent(view -> {
                    for (LockView.Holder holder : view.holders()) {
                        restored.merge(name, holder.token(), Math::max);
                    }
                });
            }
        }

        private boolean allUp() {
            for (int i = 0; i < NODES; i++) {
                if (!cluster.isUp(i)) {
                    return false;
                }
            }
            return true;
        }

        // ---- the network: each node ticks at its own rate; each message is delivered, delayed or dropped ----

        private void tickSome() {
            for (int i = 0; i < NODES; i++) {
                if (cluster.isUp(i) && random.nextInt(100) < tickPercent[i]) {
                    cluster.tick(i);
                }
            }
        }

        private void exchangeMessages() {
            // One decision per message per step, however often deliver() looks at it; a delayed one is decided again
            // next step, so messages are reordered.
            Map<RaftMessage, Integer> fate = new IdentityHashMap<>();
            boolean faulty = step < FAULT_STEPS;
            cluster.drop(m -> faulty && fate.computeIfAbsent(m, x -> random.nextInt(100)) < 5);
            cluster.deliver(m -> !faulty || fate.computeIfAbsent(m, x -> random.nextInt(100)) >= 15);
        }

        private int leader() {
            int leader = -1;
            long term = -1;
            for (int i = 0; i < NODES; i++) {
                if (cluster.isUp(i)) {
                    RaftNode node = cluster.node(i);
                    if (node.role() == Role.LEADER && node.term() > term) {
                        leader = i;
                        term = node.term();
                    }
                }
            }
            return leader;
        }

        private long clockOf(int id) {
            return Math.max(0, nowMs + skewMs[id]);
        }

        /** A new leader announces itself (LeaderChanged) and lets log time pass when something falls due (Tick). */
        private void lead(int leader) {
            long term = cluster.node(leader).term();
            if (term > leaderTerm) {
                leaderTerm = term;
                coverage.leaderTerms++;
                cluster.propose(leader, new LockCommand.LeaderChanged(clockOf(leader)).encode());
            } else if (clockOf(leader) >= machine(leader).nextDeadlineMs() || random.nextInt(30) == 0) {
                cluster.propose(leader, new LockCommand.Tick(clockOf(leader)).encode());
            }
        }

        // ---- clients ----

        private void act(Client client, int leader) {
            if (step < client.silentUntil) {
                return;
            }
            if (step < FAULT_STEPS && random.nextInt(1_000) == 0) {
                client.silentUntil = step + 200 + random.nextInt(800);
                return;
            }
            if (client.pending != null) {
                awaitApplied(client, leader);
                return;
            }
            if (random.nextInt(100) >= 25) {
                return;
            }
            client.sequence++;
            client.pending = nextCommand(client, leader).encode();
            propose(client, leader);
        }

        private void awaitApplied(Client client, int leader) {
            LogEntry applied = cluster.appliedAt(client.pendingIndex);
            if (applied != null
                    && applied.term() == client.pendingTerm
                    && applied.payload() instanceof EntryPayload.Command command
                    && Arrays.equals(command.data(), client.pending)) {
                client.pending = null;
            } else if (applied != null || step - client.proposedAtStep >= RETRY_STEPS) {
                coverage.retries++;
                propose(client, leader); // same bytes, same sequence: applied at most once
            }
        }

        private void propose(Client client, int leader) {
            client.proposedAtStep = step;
            if (cluster.propose(leader, client.pending) instanceof Outcome.Accepted(long index, long term)) {
                client.pendingIndex = index;
                client.pendingTerm = term;
            } else {
                client.pendingIndex = Long.MAX_VALUE; // nothing to wait for: retried after RETRY_STEPS
                client.pendingTerm = -1;
            }
        }

        /** What the client does next, judged from the leader's (possibly stale) state, as a real client would. */
        private LockCommand nextCommand(Client client, int leader) {
            LockStateMachine state = machine(leader);
            long now = clockOf(leader);
            Optional<SessionView> session = state.session(client.session);
            if (session.isEmpty()) {
                return new LockCommand.OpenSession(client.id, client.sequence, now, client.session, TTL_MS);
            }
            int choice = random.nextInt(100);
            if (choice < 30) {
                return new LockCommand.KeepAlive(client.id, client.sequence, now, client.session);
            }
            String name = NAMES.get(random.nextInt(NAMES.size()));
            Optional<LockView.Holder> hold = state.lock(name).flatMap(view -> view.holders().stream()
                    .filter(h -> h.session() == client.session)
                    .findFirst());
            if (hold.isPresent() && choice < 70) {
                // Now and then a stale or made-up token: it must be refused, never release someone else's hold.
                long token = random.nextInt(10) == 0
                        ? random.nextLong(1, 1_000)
                        : hold.get().token();
                return new LockCommand.Release(client.id, client.sequence, now, client.session, name, token);
            }
            LockMode mode = random.nextInt(100) < 60 ? LockMode.EXCLUSIVE : LockMode.SHARED;
            if (hold.isPresent() && hold.get().mode() == LockMode.SHARED && mode == LockMode.EXCLUSIVE) {
                coverage.upgrades++;
            }
            long waitMs = WAITS_MS[random.nextInt(WAITS_MS.length)];
            long delayMs = DELAYS_MS[random.nextInt(DELAYS_MS.length)];
            return new LockCommand.Acquire(
                    client.id, client.sequence, now, client.session, name, mode, waitMs, delayMs);
        }

        // ---- checks ----

        private LockStateMachine machine(int id) {
            return (LockStateMachine) cluster.stateMachine(id);
        }

        private void checkEveryReplica() {
            for (int i = 0; i < NODES; i++) {
                if (cluster.isUp(i)) {
                    checkReplica(i);
                }
            }
        }

        private void checkReplica(int id) {
            LockStateMachine state = machine(id);
            if (step % VERIFY_EVERY_STEPS == 0) {
                state.verify();
            }
            for (String name : NAMES) {
                state.lock(name).ifPresent(view -> checkExclusion(id, view));
            }
            Map<Long, List<LockEvent>> byIndex = new HashMap<>();
            for (LockEvent event : state.drainEvents()) {
                byIndex.computeIfAbsent(event.index(), x -> new ArrayList<>()).add(event);
                if (event instanceof LockEvent.Granted granted) {
                    checkToken(id, granted);
                }
            }
            for (Map.Entry<Long, List<LockEvent>> entry : byIndex.entrySet()) {
                List<LockEvent> first = eventsByIndex.putIfAbsent(entry.getKey(), entry.getValue());
                if (first == null) {
                    count(entry.getValue());
                } else if (!first.equals(entry.getValue())) {
                    fail("replica " + id + " reported " + entry.getValue() + " for index " + entry.getKey()
                            + ", another replica " + first);
                }
            }
        }

        private void checkExclusion(int id, LockView view) {
            long exclusive = view.holders().stream()
                    .filter(h -> h.mode() == LockMode.EXCLUSIVE)
                    .count();
            if (exclusive > 1 || (exclusive == 1 && view.holders().size() > 1)) {
                fail("replica " + id + " lets " + view.holders() + " hold " + view.name() + " together");
            }
        }

        private void checkToken(int id, LockEvent.Granted granted) {
            if (granted.token() != granted.index()) {
                fail("replica " + id + " granted " + granted + " a token other than its entry's index");
            }
            Long before = tokens.get(id).get(granted.name());
            boolean ordered = before == null
                    || (granted.mode() == LockMode.EXCLUSIVE ? granted.token() > before : granted.token() >= before);
            if (!ordered) {
                fail("replica " + id + " granted " + granted + " after token " + before + " of " + granted.name());
            }
            tokens.get(id).merge(granted.name(), granted.token(), Math::max);
        }

        private void count(List<LockEvent> events) {
            for (LockEvent event : events) {
                if (event instanceof LockEvent.Granted granted) {
                    if (granted.mode() == LockMode.EXCLUSIVE) {
                        coverage.exclusiveGrants++;
                    } else {
                        coverage.sharedGrants++;
                    }
                } else if (event instanceof LockEvent.Waiting) {
                    coverage.waits++;
                } else if (event instanceof LockEvent.Released) {
                    coverage.releases++;
                } else if (event instanceof LockEvent.Lost) {
                    coverage.lost++;
                } else if (event instanceof LockEvent.Expired) {
                    coverage.expiries++;
                }
            }
        }

        // ---- the end: no faults, every replica catches up, and all agree byte for byte ----

        private void settle() {
            for (Client client : clients) {
                client.pending = null;
            }
            for (int round = 0; round < SETTLE_ROUNDS_MAX && !settled(); round++) {
                step++;
                for (int i = 0; i < NODES; i++) {
                    cluster.tick(i);
                }
                cluster.deliverAll();
                checkEveryReplica();
            }
            if (!settled()) {
                fail("replicas did not reach the leader's commit index in " + SETTLE_ROUNDS_MAX + " quiet rounds: "
                        + appliedIndexes());
            }
            byte[] reference = machine(0).snapshot();
            for (int i = 0; i < NODES; i++) {
                machine(i).verify();
                if (!Arrays.equals(reference, machine(i).snapshot())) {
                    fail("replica " + i + "'s snapshot differs from replica 0's at applied index "
                            + machine(i).appliedIndex());
                }
                coverage.snapshotsCompared++;
            }
            coverage.committed += machine(0).appliedIndex();
        }

        private boolean settled() {
            int leader = leader();
            if (leader < 0) {
                return false;
            }
            long commit = cluster.node(leader).commitIndex();
            for (int i = 0; i < NODES; i++) {
                if (machine(i).appliedIndex() != commit) {
                    return false;
                }
            }
            return true;
        }

        private String appliedIndexes() {
            StringBuilder out = new StringBuilder();
            for (int i = 0; i < NODES; i++) {
                out.append(i).append(':').append(machine(i).appliedIndex()).append(' ');
            }
            return out.toString().trim();
        }

        private void fail(String message) {
            throw new AssertionError("step " + step + ": " + message);
        }
    }
}
