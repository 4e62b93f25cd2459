package io.sinkron.nodes;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The built node (the fast-jar of the package phase) run as a real process, for tests that need what only a process
 * shows: exit codes, stderr, signals. Output goes to files (stdout to the given one, stderr next to it with {@code .err}) so a chatty node never
 * blocks on a full pipe.
 */
public final class NodeJar implements AutoCloseable {

    private static final Path JAR = Path.of(System.getProperty("it.node-jar", "target/quarkus-app/quarkus-run.jar"));

    private final Process process;
    private final Path output;

    private NodeJar(Process process, Path output) {
        this.process = process;
        this.output = output;
    }

    /** Starts {@code java -D<key>=<value>... -jar quarkus-run.jar} with the JDK running the tests. */
    public static NodeJar start(Map<String, String> properties, Path output) throws IOException {
        return start(properties, Map.of(), output);
    }

    /** As {@link #start(Map, Path)}, with extra environment variables. */
    public static NodeJar start(Map<String, String> properties, Map<String, String> environment, Path output)
            throws IOException {
        if (!Files.isRegularFile(JAR)) {
            throw new IllegalStateException(JAR.toAbsolutePath() + " is missing; run the package phase first");
        }
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx256m");
        properties.forEach((key, value) -> command.add("-D" + key + "=" + value));
        command.add("-jar");
        command.add(JAR.toAbsolutePath().toString());
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectOutput(output.toFile())
                .redirectError(errorsOf(output).toFile());
        builder.environment().putAll(environment);
        Process process = builder.start();
        return new NodeJar(process, output);
    }

    /** Waits for the process to exit; {@code -1} if it did not within {@code timeout} (it is then killed). */
    public int awaitExit(Duration timeout) throws InterruptedException {
        if (process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            return process.exitValue();
        }
        process.destroyForcibly().waitFor();
        return -1;
    }

    /** Polls {@code /q/health/ready} until it answers 200, or fails after {@code timeout}. */
    public void awaitReady(int httpPort, Duration timeout) throws Exception {
        HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        HttpRequest ready = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/q/health/ready"))
                .timeout(Duration.ofSeconds(2))
                .build();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError("node exited with " + process.exitValue() + ":\n" + output());
            }
            try {
                if (http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        throw new AssertionError("node not ready after " + timeout + ":\n" + output());
    }

    /** Sends SIGTERM, the graceful stop, and returns the exit code (-1 if it had to be killed after 30 s). */
    public int terminate() throws InterruptedException {
        process.destroy();
        return awaitExit(Duration.ofSeconds(30));
    }

    /** Sends SIGKILL, as a crash would, and waits until the process is gone. */
    public void kill() throws InterruptedException {
        process.destroyForcibly().waitFor();
    }

    /** Everything the process wrote so far: stdout, then stderr. */
    public String output() throws IOException {
        return Files.readString(output, StandardCharsets.UTF_8) + errors();
    }

    /** What the process wrote to stderr so far. */
    public String errors() throws IOException {
        return Files.readString(errorsOf(output), StandardCharsets.UTF_8);
    }

    private static Path errorsOf(Path output) {
        return output.resolveSibling(output.getFileName() + ".err");
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            terminate();
        }
    }
}
