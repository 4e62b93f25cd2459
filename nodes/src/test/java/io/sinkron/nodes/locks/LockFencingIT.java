package io.sinkron.nodes.locks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sinkron.api.client.DeadlockException;
import io.sinkron.api.client.LockMode;
import io.sinkron.api.client.LockTimeoutException;
import io.sinkron.api.client.Session;
import io.sinkron.api.client.SinkronClient;
import io.sinkron.api.client.SinkronException;
import io.sinkron.nodes.process.LocalCluster;
import io.sinkron.nodes.process.NodeProcess;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

// Proves mutual exclusion and fencing on three real node processes while the leader of the locks' shard is killed
// with SIGKILL and restarted: clients (the Java client, every node as an entry point) take shared and exclusive locks
// on a few names, upgrade some shared holds to exclusive, and enter a fenced resource with each grant's token, staying
// inside for a moment. The resource refuses tokens below the largest it
// saw; among the entries it accepts, no two exclusive holders overlap, no shared holder overlaps an exclusive one,
// and every exclusive token is larger than any the resource saw before, unless the same holder comes back under the
// same grant.
class LockFencingIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> NAMES = List.of("fenced/a", "fenced/b", "fenced/c");
    private static final int CLIENTS = 6;
    private static final int PROGRESS = 60;
    private static final Duration STEP_WAIT = Duration.ofSeconds(90);
    private static final Duration RUN_MAX = Duration.ofMinutes(4);

    /** A resource that trusts nothing but fencing tokens, and records what would have broken it. */
    static final class FencedResource {
        private final Map<String, Long> maxToken = new HashMap<>();
        private final Map<String, String> maxGrant = new HashMap<>();
        private final Map<String, List<String>> exclusiveInside = new HashMap<>();
        private final Map<String, Integer> sharedInside = new HashMap<>();
        final List<String> violations = new ArrayList<>();
        int fenced;
        int entries;
        int upgrades;

        synchronized boolean enter(String name, long token, LockMode mode, String who) {
            long max = maxToken.getOrDefault(name, 0L);
            if (token < max) {
                fenced++;
                return false;
            }
            // A token names one grant. The same holder may come back under its grant (a release whose outcome was
            // unknown did not apply, so its next acquire was the idempotent re-acquire); anyone else must bring a
            // larger token for an exclusive entry.
            String grant = who + "/" + mode;
            if (mode == LockMode.EXCLUSIVE && token == max && !grant.equals(maxGrant.get(name))) {
                violations.add(name + ": exclusive token " + token + " of " + who + " not above the last " + max
                        + " (presented by " + maxGrant.get(name) + ")");
            }
            List<String> exclusive = exclusiveInside.computeIfAbsent(name, n -> new ArrayList<>());
            int shared = sharedInside.getOrDefault(name, 0);
            if (!exclusive.isEmpty() || (mode == LockMode.EXCLUSIVE && shared > 0)) {
                violations.add(name + ": " + who + " entered " + mode + " with token " + token + " while exclusive "
                        + exclusive + " and " + shared + " shared were inside");
            }
            if (mode == LockMode.EXCLUSIVE) {
                exclusive.add(who + "#" + token);
            } else {
                sharedInside.merge(name, 1, Integer::sum);
            }
            if (token > max || !maxGrant.containsKey(name)) {
                maxGrant.put(name, grant);
            } else if (token == max && !grant.equals(maxGrant.get(name))) {
                maxGrant.put(name, "several (shared)");
            }
            maxToken.put(name, Math.max(max, token));
            entries++;
            return true;
        }

        synchronized void exit(String name, long token, LockMode mode, String who) {
            if (mode == LockMode.EXCLUSIVE) {
                exclusiveInside.get(name).remove(who + "#" + token);
            } else {
                sharedInside.merge(name, -1, Integer::sum);
            }
        }

        synchronized void upgraded() {
            upgrades++;
        }

        synchronized int entries() {
            return entries;
        }
    }

    @Test
    void noOverlapAndGrowingTokensWhileTheLeaderIsKilledAndRestarted() throws Exception {
        try (LocalCluster cluster = LocalCluster.of(3, List.of())) {
            cluster.startAll();
            List<NodeProcess> nodes = cluster.nodes();
            awaitEveryShardLed(nodes.getFirst());
            List<URI> endpoints = nodes.stream().map(NodeProcess::url).toList();
            FencedResource resource = new FencedResource();
            AtomicInteger errors = new AtomicInteger();
            long deadline = System.nanoTime() + RUN_MAX.toNanos();
            List<Thread> workers = new ArrayList<>();
            List<SinkronClient> clients = new ArrayList<>();
            java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
            for (int c = 0; c < CLIENTS; c++) {
                List<URI> rotated = new ArrayList<>(endpoints);
                java.util.Collections.rotate(rotated, c);
                SinkronClient client = SinkronClient.builder()
                        .endpoints(rotated)
                        .requestTimeout(Duration.ofSeconds(5))
                        .build();
                clients.add(client);
                int seed = c;
                workers.add(Thread.ofVirtual()
                        .name("locker-" + c)
                        .start(() -> work(client, seed, resource, errors, stop, deadline)));
            }
            try {
                awaitEntries(resource, PROGRESS);
                String victim = leaderOf(nodes.getFirst(), NAMES.getFirst());
                cluster.node(victim).kill();
                awaitEntries(resource, PROGRESS);
                cluster.node(victim).start();
                cluster.awaitReady(cluster.node(victim));
                awaitEntries(resource, PROGRESS);
            } finally {
                stop.set(true);
                for (Thread worker : workers) {
                    worker.join(STEP_WAIT.toMillis());
                }
                clients.forEach(SinkronClient::close);
            }
            System.out.printf(
                    "LockFencingIT: %d entries, %d upgrades, %d fenced, %d client errors%n",
                    resource.entries(), resource.upgrades, resource.fenced, errors.get());
            assertThat(resource.violations).isEmpty();
            assertThat(resource.entries()).isGreaterThanOrEqualTo(3 * PROGRESS);
            assertThat(resource.upgrades).as("shared holds upgraded").isPositive();
        }
    }

    private static void work(
            SinkronClient client,
            int seed,
            FencedResource resource,
            AtomicInteger errors,
            java.util.concurrent.atomic.AtomicBoolean stop,
            long deadline) {
        SplittableRandom random = new SplittableRandom(seed);
        String who = "client-" + seed;
        Session session = null;
        while (!stop.get() && System.nanoTime() < deadline) {
            try {
                if (session == null || session.isLost()) {
                    session = client.openSession(Duration.ofSeconds(10));
                }
                String name = NAMES.get(random.nextInt(NAMES.size()));
                LockMode mode = random.nextInt(10) < 7 ? LockMode.EXCLUSIVE : LockMode.SHARED;
                long token;
                try {
                    token = client.lock(session, name, mode, Duration.ofSeconds(2));
                } catch (LockTimeoutException busy) {
                    continue;
                } catch (SinkronException unknown) {
                    // The outcome is unknown: a grant may have happened. Re-acquiring is idempotent for a holder.
                    errors.incrementAndGet();
                    OptionalLong held = retryTry(client, session, name, mode);
                    if (held.isEmpty()) {
                        // Still unknown: the lock may be held by this session with nobody to release it, and with
                        // three names every other client would wait it out. Closing the session releases it.
                        session = abandon(session);
                        continue;
                    }
                    token = held.getAsLong();
                }
                boolean inside = resource.enter(name, token, mode, who);
                holdAWhile(random);
                if (mode == LockMode.SHARED && random.nextInt(10) < 3) {
                    // Upgrade the shared hold: granted once every other holder has left, under a new token.
                    long upgraded;
                    try {
                        upgraded = client.lock(session, name, LockMode.EXCLUSIVE, Duration.ofSeconds(2));
                    } catch (LockTimeoutException | DeadlockException refused) {
                        upgraded = 0; // still holding shared (two upgrading holders deadlock; one is refused)
                    } catch (SinkronException unknown) {
                        errors.incrementAndGet();
                        if (inside) {
                            resource.exit(name, token, mode, who);
                        }
                        session = abandon(session);
                        continue;
                    }
                    if (upgraded > 0) {
                        if (inside) {
                            resource.exit(name, token, mode, who);
                        }
                        resource.upgraded();
                        token = upgraded;
                        mode = LockMode.EXCLUSIVE;
                        inside = resource.enter(name, token, mode, who);
                        holdAWhile(random);
                    }
                }
                if (inside) {
                    resource.exit(name, token, mode, who);
                }
                try {
                    client.unlock(session, name, token);
                } catch (SinkronException e) {
                    errors.incrementAndGet();
                    session = abandon(session); // the release may not have applied: let the session's end do it
                }
            } catch (SinkronException e) {
                errors.incrementAndGet();
            }
        }
        if (session != null) {
            abandon(session);
        }
    }

    /**
     * Stays inside the resource for up to 2 ms, as a holder doing its work would, so that entries of holders that
     * overlapped in time also overlap in the resource. Not a wait for an event: there is none to wait for.
     */
    private static void holdAWhile(SplittableRandom random) {
        java.util.concurrent.locks.LockSupport.parkNanos(random.nextLong(2_000_000));
    }

    /** Closes a session whose holds are in doubt (best effort: its ttl ends it otherwise); returns null. */
    private static Session abandon(Session session) {
        try {
            session.close();
        } catch (SinkronException e) {
            // the cluster releases its locks when its ttl passes
        }
        return null;
    }

    private static OptionalLong retryTry(SinkronClient client, Session session, String name, LockMode mode) {
        try {
            return client.tryLock(session, name, mode);
        } catch (SinkronException e) {
            return OptionalLong.empty();
        }
    }

    private static void awaitEntries(FencedResource resource, int more) {
        int target = resource.entries() + more;
        await().atMost(STEP_WAIT)
                .pollInterval(Duration.ofMillis(100))
                .alias(more + " more fenced entries")
                .until(() -> resource.entries() >= target);
    }

    private static String leaderOf(NodeProcess node, String name) throws Exception {
        JsonNode placement = JSON.readTree(node.get("/v1/cluster/placement/" + name));
        return placement.path("leader").asText();
    }

    private static void awaitEveryShardLed(NodeProcess node) {
        await().atMost(STEP_WAIT)
                .pollInterval(Duration.ofMillis(200))
                .ignoreExceptions()
                .until(() -> {
                    JsonNode view = JSON.readTree(node.get("/v1/cluster"));
                    for (JsonNode shard : view.path("shards")) {
                        if (shard.path("leader").isNull()) {
                            return false;
                        }
                    }
                    return view.path("shards").size() == 8;
                });
    }
}
