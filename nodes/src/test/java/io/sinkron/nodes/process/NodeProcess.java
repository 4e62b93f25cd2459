package io.sinkron.nodes.process;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One Sinkron node as a real OS process started from the built fast-jar, with its own data directory and embedded
 * PostgreSQL. Used by multi-process tests: start, SIGKILL, restart on the same data, stop.
 */
public final class NodeProcess {

    /**
     * The fast-jar Quarkus builds in the package phase, before failsafe runs; {@code -Dit.node-jar} points at a
     * copy instead (so a rebuild in the same tree cannot pull the jar from under running nodes).
     */
    public static final Path JAR = Path.of(System.getProperty("it.node-jar", "target/quarkus-app/quarkus-run.jar"));

    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

    private final String id;
    private final int httpPort;
    private final int postgresPort;
    private final Path dataDir;
    private final String peers;
    private final List<String> extraProperties;
    private final String host;
    private final List<String> commandPrefix;
    private Process process;

    NodeProcess(String id, int httpPort, int postgresPort, Path dataDir, String peers, List<String> extraProperties) {
        this(id, "127.0.0.1", List.of(), httpPort, postgresPort, dataDir, peers, extraProperties);
    }

    /**
     * A node listening on {@code host}, started through {@code commandPrefix} (e.g. {@code ip netns exec NS}, which
     * replaces itself with the JVM, so the process handle is the node's own).
     */
    NodeProcess(
            String id,
            String host,
            List<String> commandPrefix,
            int httpPort,
            int postgresPort,
            Path dataDir,
            String peers,
            List<String> extraProperties) {
        this.id = id;
        this.host = host;
        this.commandPrefix = List.copyOf(commandPrefix);
        this.httpPort = httpPort;
        this.postgresPort = postgresPort;
        this.dataDir = dataDir;
        this.peers = peers;
        this.extraProperties = List.copyOf(extraProperties);
    }

    public String id() {
        return id;
    }

    public URI url() {
        return URI.create("http://" + host + ":" + httpPort);
    }

    public Path dataDir() {
        return dataDir;
    }

    public Path log() {
        return dataDir.resolve("node.log");
    }

    /** Starts the process (not waiting for readiness); its output is appended to {@link #log()}. */
    public void start() throws IOException {
        if (isAlive()) {
            throw new IllegalStateException(id + " is already running");
        }
        Files.createDirectories(dataDir);
        List<String> command = new ArrayList<>(commandPrefix);
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx384m");
        command.add("-XX:+UseSerialGC");
        command.add("-Dsinkron.node.id=" + id);
        command.add("-Dquarkus.http.host=" + host);
        command.add("-Dquarkus.http.port=" + httpPort);
        command.add("-Dsinkron.node.peers=" + peers);
        command.add("-Dsinkron.node.data-dir=" + dataDir);
        command.add("-Dsinkron.postgres.embedded-port=" + postgresPort);
        command.addAll(extraProperties);
        command.add("-jar");
        command.add(JAR.toAbsolutePath().toString());
        process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log().toFile()))
                .start();
    }

    public boolean isAlive() {
        return process != null && process.isAlive();
    }

    public long pid() {
        return process.pid();
    }

    /** Whether /q/health/ready answers 200 right now. */
    public boolean isReady() {
        try {
            HttpResponse<Void> response = HTTP.send(
                    HttpRequest.newBuilder(url().resolve("/q/health/ready"))
                            .timeout(Duration.ofSeconds(2))
                            .build(),
                    HttpResponse.BodyHandlers.discarding());
            return response.statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** GET a path of this node's HTTP API; the body as text. */
    public String get(String path) throws IOException, InterruptedException {
        HttpResponse<String> response = HTTP.send(
                HttpRequest.newBuilder(url().resolve(path))
                        .timeout(Duration.ofSeconds(5))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("GET " + path + " on " + id + " answered " + response.statusCode());
        }
        return response.body();
    }

    /** SIGKILL: the node gets no chance to clean up; its embedded PostgreSQL keeps running, as after a crash. */
    public void kill() throws InterruptedException {
        if (process != null) {
            process.destroyForcibly();
            process.waitFor();
        }
    }

    /** SIGTERM and wait: a graceful stop that must also stop the node's embedded PostgreSQL. */
    public int stop(Duration wait) throws InterruptedException {
        if (process == null) {
            return 0;
        }
        process.destroy();
        if (!process.waitFor(wait.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            process.waitFor();
            throw new IllegalStateException(id + " did not stop within " + wait);
        }
        return process.exitValue();
    }

    /** The embedded PostgreSQL server process of this node, if one is running (read from its postmaster.pid). */
    public Optional<ProcessHandle> postgres() throws IOException {
        try (var files = Files.walk(dataDir, 3)) {
            for (Path pidFile : files.filter(p -> p.getFileName().toString().equals("postmaster.pid"))
                    .toList()) {
                List<String> lines = Files.readAllLines(pidFile);
                if (!lines.isEmpty() && lines.getFirst().strip().matches("\\d+")) {
                    Optional<ProcessHandle> handle =
                            ProcessHandle.of(Long.parseLong(lines.getFirst().strip()));
                    if (handle.isPresent() && handle.get().isAlive()) {
                        return handle;
                    }
                }
            }
        }
        return Optional.empty();
    }
}
