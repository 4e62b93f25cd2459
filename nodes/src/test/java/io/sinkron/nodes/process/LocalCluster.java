package io.sinkron.nodes.process;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Several {@link NodeProcess}es on loopback with free ports and a private temporary data root. {@link #close()}
 * stops every node and any PostgreSQL a killed node left behind, so a test leaves no process running.
 */
public final class LocalCluster implements AutoCloseable {

    private static final Duration READY_WAIT = Duration.ofSeconds(90);
    private static final Duration STOP_WAIT = Duration.ofSeconds(30);
    private static final int LAB_HTTP_PORT = 8081;
    private static final int LAB_POSTGRES_PORT = 15441;

    private final Path root;
    private final Map<String, NodeProcess> nodes = new LinkedHashMap<>();

    private LocalCluster(Path root) {
        this.root = root;
    }

    /** Creates (does not start) nodes n1..n{size}. */
    public static LocalCluster of(int size, List<String> extraProperties) throws IOException {
        if (!Files.exists(NodeProcess.JAR)) {
            throw new IllegalStateException(NodeProcess.JAR + " is missing: run the package phase first");
        }
        LocalCluster cluster = new LocalCluster(Files.createTempDirectory("sinkron-cluster-"));
        Map<String, Integer> httpPorts = new LinkedHashMap<>();
        for (int i = 1; i <= size; i++) {
            httpPorts.put("n" + i, freePort());
        }
        String peers = httpPorts.entrySet().stream()
                .map(e -> e.getKey() + "=http://127.0.0.1:" + e.getValue())
                .collect(Collectors.joining(","));
        for (var e : httpPorts.entrySet()) {
            cluster.nodes.put(
                    e.getKey(),
                    new NodeProcess(
                            e.getKey(),
                            e.getValue(),
                            freePort(),
                            cluster.root.resolve(e.getKey()),
                            peers,
                            extraProperties));
        }
        return cluster;
    }

    /**
     * Creates (does not start) nodes n1..n{size} of {@code lab}, each in its own network namespace at its lab address,
     * all on the same ports (namespaces do not share ports).
     */
    public static LocalCluster inLab(NetworkLab lab, int size, List<String> extraProperties) throws IOException {
        if (!Files.exists(NodeProcess.JAR)) {
            throw new IllegalStateException(NodeProcess.JAR + " is missing: run the package phase first");
        }
        LocalCluster cluster = new LocalCluster(Files.createTempDirectory("sinkron-lab-"));
        List<String> ids = new ArrayList<>();
        for (int i = 1; i <= size; i++) {
            ids.add("n" + i);
        }
        String peers = ids.stream()
                .map(id -> id + "=http://" + lab.address(id) + ":" + LAB_HTTP_PORT)
                .collect(Collectors.joining(","));
        for (String id : ids) {
            cluster.nodes.put(
                    id,
                    new NodeProcess(
                            id,
                            lab.address(id),
                            lab.prefix(id),
                            LAB_HTTP_PORT,
                            // Unix-domain sockets live in the shared /tmp, so ports must differ even across namespaces.
                            LAB_POSTGRES_PORT + ids.indexOf(id),
                            cluster.root.resolve(id),
                            peers,
                            extraProperties));
        }
        return cluster;
    }

    public NodeProcess node(String id) {
        NodeProcess node = nodes.get(id);
        if (node == null) {
            throw new IllegalArgumentException("no node " + id);
        }
        return node;
    }

    public List<NodeProcess> nodes() {
        return List.copyOf(nodes.values());
    }

    /** Starts every node and waits until all are ready. */
    public void startAll() throws IOException {
        for (NodeProcess node : nodes.values()) {
            node.start();
        }
        nodes.values().forEach(this::awaitReady);
    }

    public void awaitReady(NodeProcess node) {
        await().atMost(READY_WAIT)
                .pollInterval(Duration.ofMillis(200))
                .failFast(id(node) + " exited during start-up; see " + node.log(), () -> !node.isAlive())
                .until(node::isReady);
    }

    private static String id(NodeProcess node) {
        return node.id();
    }

    @Override
    public void close() throws Exception {
        List<Exception> failures = new ArrayList<>();
        for (NodeProcess node : nodes.values()) {
            try {
                if (node.isAlive()) {
                    node.stop(STOP_WAIT);
                }
                Optional<ProcessHandle> postgres = node.postgres();
                if (postgres.isPresent()) {
                    postgres.get().destroy();
                    postgres.get().onExit().get(STOP_WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
                }
            } catch (Exception e) {
                failures.add(e);
            }
        }
        if (!failures.isEmpty()) {
            Exception first = failures.getFirst();
            failures.stream().skip(1).forEach(first::addSuppressed);
            throw first;
        }
    }

    private static int freePort() {
        return io.sinkron.nodes.TestPorts.free();
    }
}
