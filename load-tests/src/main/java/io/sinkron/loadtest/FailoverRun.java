package io.sinkron.loadtest;

import io.sinkron.api.cluster.ClusterView;
import io.sinkron.api.cluster.MemberView;
import io.sinkron.api.cluster.Placement;
import io.sinkron.api.cluster.ShardView;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code failover} scenario: how long after a shard leader dies the cluster acknowledges a write again.
 *
 * <p>Each round, on a settled cluster (every node ready, every member alive everywhere, one agreed leader per shard,
 * every replica caught up, every shard back with its preferred leader so no leadership transfer is under way): pick a
 * key whose shard leader L is not the node killed last round, write it once through another node E (which must answer
 * 204), SIGKILL L, and as soon as L has stopped PUT the key through E again and again (one at-most-once session, so
 * retries of the write apply once; no pause between attempts beyond the node's own retry back-off) until one answers
 * 204. Failover time = that 204 minus the instant the SIGKILL was sent. Then restart L with the cluster script, wait
 * until the cluster has settled and caught up again, and check that every replica holds the acknowledged value.
 */
final class FailoverRun {

    /** Name on the command line. */
    static final String NAME = "failover";

    /** Keys tried per round to find one whose leader is the node the rotation wants. */
    static final int KEY_CANDIDATES_MAX = 256;

    /** PUT attempts per round after the kill; also bounded by {@code --failover-max}. */
    static final int ATTEMPTS_MAX = 1000;

    /** Tries of the cluster script per restart. */
    static final int RESTART_ATTEMPTS_MAX = 2;

    /** Pause between probes while waiting for the cluster to settle (not between failover writes). */
    static final Duration POLL_INTERVAL = Duration.ofMillis(100);

    /** Longest text of an error answer kept for a report. */
    static final int ANSWER_CHARS_MAX = 300;

    /** What a run measured, and why it stopped early ({@code null} when every round ran). */
    record Outcome(List<FailoverRound> rounds, String stoppedBecause) {

        /** Per-round lines were printed as the rounds ran; this prints the summary and, if asked, Markdown. */
        void print(boolean markdown, PrintStream out) {
            if (stoppedBecause != null) {
                out.println("failover: stopped after " + rounds.size() + " rounds: " + stoppedBecause);
            }
            if (rounds.isEmpty()) {
                return;
            }
            FailoverSummary summary = FailoverSummary.of(
                    rounds.stream().map(FailoverRound::failoverNanos).toList());
            out.println(summary.line());
            if (markdown) {
                out.println();
                out.println(FailoverRound.markdownHeader());
                rounds.forEach(r -> out.println(r.markdownRow()));
                out.println();
                out.println(FailoverSummary.markdownHeader());
                out.println(summary.markdownRow());
            }
        }
    }

    /** A round's key, the leader to kill and the node to write through. */
    private record Choice(int round, String key, int shard, String leader, String entry) {}

    /** A round's result and the value its acknowledged write stored. */
    private record Measured(FailoverRound result, byte[] value) {}

    /** The first acknowledged write after the kill. */
    private record Acknowledged(long nanos, int attempts) {}

    /** The run cannot go on: the cluster did not reach a state in time, or answered what it must not. */
    static final class RunStopped extends Exception {
        private static final long serialVersionUID = 1L;

        RunStopped(String message) {
            super(message);
        }
    }

    private final NodeClient client;
    private final NodeProcesses processes;
    private final List<URI> targets;
    private final FailoverOptions options;
    private final PrintStream out;
    private final String clientId;
    private final Map<String, Integer> kills = new HashMap<>();
    private Map<String, URI> nodes = Map.of();
    private String lastKilled;
    private long sequence;

    FailoverRun(
            NodeClient client, NodeProcesses processes, List<URI> targets, FailoverOptions options, PrintStream out) {
        this.client = client;
        this.processes = processes;
        this.targets = List.copyOf(targets);
        this.options = options;
        this.out = out;
        // A fresh session per run: a session's sequence must grow, and earlier runs left theirs in the cluster.
        this.clientId = "bench-failover-" + ProcessHandle.current().pid() + "-" + System.currentTimeMillis();
    }

    Outcome run() throws InterruptedException {
        long runDeadline = System.nanoTime() + options.maxDuration.toNanos();
        List<FailoverRound> rounds = new ArrayList<>();
        try {
            nodes = discover();
            out.printf("failover: %d rounds against %s; session %s%n", options.kills, nodes, clientId);
            for (int round = 1; round <= options.kills; round++) {
                long now = System.nanoTime();
                if (now - runDeadline >= 0) {
                    return new Outcome(rounds, "--max-duration " + options.maxDuration + " reached");
                }
                long settleDeadline = now + Math.min(options.settleMax.toNanos(), runDeadline - now);
                awaitSettled(settleDeadline, "before round " + round);
                Measured measured = measure(round);
                out.println(measured.result().line());
                rounds.add(measured.result());
                recover(measured);
            }
        } catch (IOException | RunStopped e) {
            return new Outcome(rounds, describe(e));
        }
        return new Outcome(rounds, null);
    }

    /** Kills the leader of a chosen key and times the first acknowledged write; restarts the node on failure. */
    private Measured measure(int round) throws IOException, InterruptedException, RunStopped {
        Choice choice = choose(round);
        URI entry = nodes.get(choice.entry());
        warmUp(choice, entry);
        long seq = ++sequence;
        byte[] value = value(round, seq);
        long termBefore = shardSeenBy(entry, choice.shard()).term();
        ProcessHandle victim = processes.nodeProcess(choice.leader());
        long killedNanos = processes.kill(victim);
        kills.merge(choice.leader(), 1, Integer::sum);
        lastKilled = choice.leader();
        Acknowledged ack;
        ShardView after;
        try {
            ack = writeUntilAcknowledged(entry, choice.key(), value, seq, killedNanos);
            after = shardSeenBy(entry, choice.shard());
            if (choice.leader().equals(after.leader()) || after.term() <= termBefore) {
                throw new RunStopped("round " + round + ": a write was acknowledged but " + choice.entry()
                        + " still names leader " + after.leader() + " in term " + after.term() + " (was "
                        + termBefore + ") after " + choice.leader() + " was killed");
            }
            processes.awaitReaped(victim);
        } catch (IOException | RunStopped | InterruptedException e) {
            restartAfterFailure(choice.leader(), e);
            throw e;
        }
        FailoverRound result = new FailoverRound(
                round,
                choice.key(),
                choice.leader(),
                choice.entry(),
                after.leader() == null ? "?" : after.leader(),
                after.term() - termBefore,
                ack.nanos() - killedNanos,
                ack.attempts());
        return new Measured(result, value);
    }

    /** One write through the entry node before the kill, which must be acknowledged: the path works. */
    private void warmUp(Choice choice, URI entry) throws IOException, InterruptedException, RunStopped {
        long seq = ++sequence;
        HttpResponse<String> first =
                client.put(entry, choice.key(), value(choice.round(), seq), clientId, seq, options.attemptTimeout);
        if (first.statusCode() != 204) {
            throw new RunStopped("round " + choice.round() + ": warm-up PUT " + choice.key() + " via " + choice.entry()
                    + " answered " + first.statusCode() + " " + abbreviate(first.body()));
        }
    }

    /** Restarts the killed node, waits until the cluster settled and caught up, then checks the write everywhere. */
    private void recover(Measured measured) throws IOException, InterruptedException, RunStopped {
        String node = measured.result().killed();
        restart(node);
        awaitSettled(System.nanoTime() + options.settleMax.toNanos(), "after restarting " + node);
        checkReplicated(measured.result().key(), measured.value());
    }

    /**
     * Starts the node again. The cluster script may give up on a node that is in fact starting (it has been seen to
     * report "exited during start-up" for a live node under load), so on failure a running node gets the settle bound
     * to become ready by itself; only one that does not is SIGKILLed and started once more. Either case is printed.
     */
    private void restart(String node) throws IOException, InterruptedException {
        for (int attempt = 1; ; attempt++) {
            try {
                processes.start(node, options.restartMax);
                return;
            } catch (IOException e) {
                Optional<ProcessHandle> running = processes.runningNode(node);
                if (running.isPresent() && becomesReady(node)) {
                    out.printf(
                            "failover: %s; yet %s (pid %d) became ready, so it is kept%n",
                            e.getMessage(), node, running.get().pid());
                    return;
                }
                if (attempt >= RESTART_ATTEMPTS_MAX) {
                    throw e;
                }
                out.printf(
                        "failover: restart %d of %s failed (%s); %s%n",
                        attempt,
                        node,
                        e.getMessage(),
                        running.map(p -> "SIGKILL its unready pid " + p.pid() + " and start it again")
                                .orElse("start it again"));
                if (running.isPresent()) {
                    processes.kill(running.get());
                    processes.awaitReaped(running.get());
                }
            }
        }
    }

    private boolean becomesReady(String node) throws InterruptedException {
        long deadline = System.nanoTime() + options.settleMax.toNanos();
        while (System.nanoTime() - deadline < 0) {
            if (client.ready(nodes.get(node))) {
                return true;
            }
            Thread.sleep(POLL_INTERVAL);
        }
        return false;
    }

    /** The killed node must come back even when its round failed, so the cluster is left whole. */
    private void restartAfterFailure(String node, Exception failure) {
        try {
            restart(node);
        } catch (IOException | InterruptedException e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            failure.addSuppressed(e);
        }
    }

    /**
     * PUTs through the entry node until one is acknowledged. Every attempt carries the same session and sequence: it
     * is one logical write, retried, which the register applies once (Raft dissertation §6.3).
     */
    private Acknowledged writeUntilAcknowledged(URI entry, String key, byte[] value, long seq, long killedNanos)
            throws IOException, InterruptedException, RunStopped {
        long deadline = killedNanos + options.failoverMax.toNanos();
        String lastFailure = "no attempt";
        for (int attempt = 1; attempt <= ATTEMPTS_MAX; attempt++) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                break;
            }
            Duration timeout = Duration.ofNanos(Math.max(Math.min(options.attemptTimeout.toNanos(), left), 1_000_000));
            try {
                HttpResponse<String> answer = client.put(entry, key, value, clientId, seq, timeout);
                long answeredNanos = System.nanoTime();
                if (answer.statusCode() == 204) {
                    return new Acknowledged(answeredNanos, attempt);
                }
                if (answer.statusCode() < 500) {
                    throw new RunStopped(
                            "PUT " + key + " refused with " + answer.statusCode() + " " + abbreviate(answer.body()));
                }
                lastFailure = answer.statusCode() + " " + abbreviate(answer.body());
            } catch (IOException e) {
                lastFailure = e.toString();
            }
        }
        throw new RunStopped("no write of " + key + " acknowledged within " + options.failoverMax + " or "
                + ATTEMPTS_MAX + " attempts after the kill; last answer: " + lastFailure);
    }

    /** The shard as the node sees it (leader, term), read outside the timed window. */
    private ShardView shardSeenBy(URI node, int shard) throws IOException, InterruptedException, RunStopped {
        for (ShardView view : client.cluster(node).shards()) {
            if (view.id() == shard) {
                return view;
            }
        }
        throw new RunStopped(node + " does not list shard " + shard);
    }

    /**
     * A key whose leader the rotation wants killed; failing that, any key whose leader was not killed last round. The
     * entry node is another node, alternating between rounds.
     */
    private Choice choose(int round) throws IOException, InterruptedException, RunStopped {
        List<String> ids = List.copyOf(nodes.keySet());
        String wanted = KillRotation.preferred(ids, kills, lastKilled).orElse(null);
        String probe =
                ids.stream().filter(n -> !n.equals(lastKilled)).findFirst().orElse(ids.getFirst());
        Choice fallback = null;
        for (int candidate = 0; candidate < KEY_CANDIDATES_MAX; candidate++) {
            String key = candidate == 0 ? "failover-" + round : "failover-" + round + "-" + candidate;
            Placement placement = client.placement(nodes.get(probe), key);
            String leader = placement.leader();
            if (leader == null || !nodes.containsKey(leader)) {
                throw new RunStopped(probe + " names leader " + leader + " for " + key + " on a settled cluster");
            }
            Choice choice = new Choice(round, key, placement.shard(), leader, KillRotation.entry(ids, leader, round));
            if (leader.equals(wanted)) {
                return choice;
            }
            if (fallback == null && !leader.equals(lastKilled)) {
                fallback = choice;
            }
        }
        if (fallback == null) {
            throw new RunStopped("none of " + KEY_CANDIDATES_MAX + " keys has a leader other than " + lastKilled);
        }
        return fallback;
    }

    /** Node ids and URLs from the first target that answers, in membership order. */
    private Map<String, URI> discover() throws InterruptedException, RunStopped {
        List<String> failures = new ArrayList<>();
        for (URI target : targets) {
            try {
                ClusterView view = client.cluster(target);
                Map<String, URI> found = new LinkedHashMap<>();
                for (MemberView member : view.members()) {
                    found.put(member.id(), URI.create(member.url()));
                }
                if (found.size() < 3) {
                    throw new RunStopped("failover needs at least 3 members, " + target + " lists " + found.keySet());
                }
                return found;
            } catch (IOException e) {
                failures.add(target + ": " + e);
            }
        }
        throw new RunStopped("no target answered GET /v1/cluster: " + failures);
    }

    /** Polls until every node is ready, the cluster is settled and every replica caught up, or the deadline. */
    private void awaitSettled(long deadlineNanos, String when) throws InterruptedException, RunStopped {
        long startNanos = System.nanoTime();
        while (true) {
            String problem = unsettled();
            if (problem == null) {
                return;
            }
            if (System.nanoTime() - deadlineNanos >= 0) {
                throw new RunStopped("cluster not settled " + when + " after "
                        + Duration.ofNanos(System.nanoTime() - startNanos).toSeconds() + " s: " + problem);
            }
            Thread.sleep(POLL_INTERVAL);
        }
    }

    private String unsettled() throws InterruptedException {
        Map<String, ClusterView> views = new LinkedHashMap<>();
        for (Map.Entry<String, URI> node : nodes.entrySet()) {
            if (!client.ready(node.getValue())) {
                return node.getKey() + " is not ready";
            }
            try {
                views.put(node.getKey(), client.cluster(node.getValue()));
            } catch (IOException e) {
                return node.getKey() + ": " + e;
            }
        }
        return ClusterChecks.unsettled(views, List.copyOf(nodes.keySet()))
                .or(() -> ClusterChecks.lagging(views))
                .or(() -> ClusterChecks.unbalanced(views))
                .orElse(null);
    }

    /** Paired check: the acknowledged write must be in every replica once all have caught up. */
    private void checkReplicated(String key, byte[] value) throws IOException, InterruptedException, RunStopped {
        for (Map.Entry<String, URI> node : nodes.entrySet()) {
            HttpResponse<byte[]> local = client.getLocal(node.getValue(), key);
            if (local.statusCode() != 200 || !Arrays.equals(local.body(), value)) {
                throw new RunStopped("acknowledged write of " + key + " missing on " + node.getKey() + ": answered "
                        + local.statusCode() + " " + abbreviate(new String(local.body(), StandardCharsets.UTF_8)));
            }
        }
    }

    private static byte[] value(int round, long seq) {
        return ("failover round " + round + " sequence " + seq).getBytes(StandardCharsets.UTF_8);
    }

    private static String abbreviate(String text) {
        return text.length() <= ANSWER_CHARS_MAX ? text : text.substring(0, ANSWER_CHARS_MAX) + "...";
    }

    private static String describe(Exception e) {
        StringBuilder text = new StringBuilder(e.getMessage() == null ? e.toString() : e.getMessage());
        for (Throwable suppressed : e.getSuppressed()) {
            text.append("; also: ").append(suppressed.getMessage());
        }
        return text.toString();
    }
}
