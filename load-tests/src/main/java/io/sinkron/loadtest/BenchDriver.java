package io.sinkron.loadtest;

import io.sinkron.api.client.SinkronClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The benchmark driver: runs a scenario against a running cluster at several concurrency levels and prints
 * throughput and latency percentiles (HdrHistogram): {@code cluster-read} (GET /v1/cluster) or {@code lock-cycle}
 * (acquire+release, {@link LockCycleScenario}). Every level is bounded in time and in operation count. The
 * {@code failover} scenario instead kills shard leaders one at a time and times the first acknowledged write after
 * each kill ({@link FailoverRun}).
 */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description = "Measures a running Sinkron cluster (start one with bin/cluster up).")
public final class BenchDriver implements Callable<Integer> {

    /** Scenarios measured level by level ({@link LevelRun}); the failover scenario is separate. */
    private static final List<String> LEVEL_SCENARIOS = List.of("cluster-read", "lock-cycle");

    @Option(
            names = "--targets",
            split = ",",
            description = "Node URLs; workers are spread over them (default: the three local nodes).",
            defaultValue = "http://127.0.0.1:8081,http://127.0.0.1:8082,http://127.0.0.1:8083")
    List<URI> targets;

    @Option(
            names = "--scenario",
            defaultValue = "cluster-read",
            description = "One of: ${COMPLETION-CANDIDATES}",
            completionCandidates = ScenarioNames.class)
    String scenario;

    @Option(
            names = "--concurrency",
            split = ",",
            defaultValue = "1,16,64",
            description = "Concurrent clients per level.")
    List<Integer> concurrency;

    @Option(names = "--duration", defaultValue = "PT10S", description = "Measured time per level (ISO-8601).")
    Duration duration;

    @Option(names = "--warmup", defaultValue = "PT3S", description = "Unrecorded time before each level.")
    Duration warmup;

    @Option(names = "--operations-max", defaultValue = "5000000", description = "Hard cap on operations per level.")
    long operationsMax;

    @Option(
            names = "--names",
            defaultValue = "distinct",
            description = "lock-cycle: distinct (a lock per worker) or contended (one lock for all workers).")
    String names;

    @Option(
            names = "--threads",
            defaultValue = "virtual",
            description = "Worker threads: virtual (default; a blocked worker costs no OS context switch) or platform"
                    + " (one OS thread per worker).")
    String threads;

    @Option(
            names = "--lock-transport",
            defaultValue = "socket",
            description = "lock-cycle: how the Java client sends acquire and release: socket (/v1/ws/locks) or http.")
    String lockTransport;

    @Option(names = "--markdown", description = "Also print a Markdown table for docs/benchmarks.md.")
    boolean markdown;

    @Mixin
    FailoverOptions failoverOptions;

    public static void main(String[] args) {
        System.exit(new CommandLine(new BenchDriver()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        if (!LEVEL_SCENARIOS.contains(scenario) && !FailoverRun.NAME.equals(scenario)) {
            throw new CommandLine.ParameterException(
                    new CommandLine(this), "unknown scenario " + scenario + "; known: " + new ScenarioNames());
        }
        Scenario chosen = levelScenario();
        if (duration.isNegative() || duration.isZero() || duration.compareTo(Duration.ofMinutes(30)) > 0) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--duration must be in (0, 30 min]");
        }
        try (HttpClient http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .executor(Executors.newVirtualThreadPerTaskExecutor())
                .build()) {
            return chosen == null ? failover(http) : levels(chosen, http);
        }
    }

    private boolean locksOverSocket() {
        return switch (lockTransport) {
            case "socket" -> true;
            case "http" -> false;
            default ->
                throw new CommandLine.ParameterException(
                        new CommandLine(this), "--lock-transport must be socket or http, was " + lockTransport);
        };
    }

    /** The factory of worker threads named by --threads. */
    private ThreadFactory workerThreads() {
        return switch (threads) {
            case "platform" ->
                Thread.ofPlatform().daemon().name("bench-worker-", 0).factory();
            case "virtual" -> Thread.ofVirtual().name("bench-worker-", 0).factory();
            default ->
                throw new CommandLine.ParameterException(
                        new CommandLine(this), "--threads must be platform or virtual, was " + threads);
        };
    }

    /** The level scenario named by --scenario, or null for failover. */
    private Scenario levelScenario() {
        return switch (scenario) {
            case "cluster-read" -> new ClusterReadScenario();
            case "lock-cycle" -> new LockCycleScenario(lockNames());
            default -> null;
        };
    }

    private LockCycleScenario.Names lockNames() {
        for (LockCycleScenario.Names choice : LockCycleScenario.Names.values()) {
            if (choice.wire().equals(names)) {
                return choice;
            }
        }
        throw new CommandLine.ParameterException(
                new CommandLine(this), "--names must be distinct or contended, was " + names);
    }

    private int levels(Scenario chosen, HttpClient http) throws Exception {
        List<LevelResult> results = new ArrayList<>();
        for (int c : concurrency) {
            if (c < 1 || c > 4096) {
                throw new CommandLine.ParameterException(new CommandLine(this), "concurrency must be 1..4096");
            }
        }
        try (SinkronClient client = SinkronClient.builder()
                .endpoints(targets)
                .clientId("bench-" + ProcessHandle.current().pid())
                .requestTimeout(Duration.ofSeconds(5))
                .locksOverSocket(locksOverSocket())
                .build()) {
            Scenario.Context context = new Scenario.Context(http, targets, client);
            for (int c : concurrency) {
                LevelResult result = new LevelRun(
                                chosen,
                                context,
                                c,
                                warmup.toNanos(),
                                duration.toNanos(),
                                operationsMax,
                                workerThreads())
                        .run();
                System.out.println(result.line());
                results.add(result);
            }
        }
        if (markdown) {
            System.out.println();
            System.out.println(LevelResult.markdownHeader());
            results.forEach(r -> System.out.println(r.markdownRow()));
        }
        return results.stream().allMatch(r -> r.operations() > 0) ? 0 : 1;
    }

    private int failover(HttpClient http) throws InterruptedException {
        String problem = failoverOptions.problem();
        if (problem != null) {
            throw new CommandLine.ParameterException(new CommandLine(this), problem);
        }
        NodeProcesses processes = new NodeProcesses(failoverOptions.dataDir, failoverOptions.clusterScript);
        FailoverRun.Outcome outcome =
                new FailoverRun(new NodeClient(http), processes, targets, failoverOptions, System.out).run();
        outcome.print(markdown, System.out);
        return outcome.stoppedBecause() == null ? 0 : 1;
    }

    static final class ScenarioNames extends ArrayList<String> {
        private static final long serialVersionUID = 1L;

        ScenarioNames() {
            super(LEVEL_SCENARIOS);
            add(FailoverRun.NAME);
        }
    }
}
