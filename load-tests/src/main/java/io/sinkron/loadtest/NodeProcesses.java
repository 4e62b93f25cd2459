package io.sinkron.loadtest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The local cluster's node processes as {@code bin/cluster} lays them out: {@code <data>/<node>/node.pid} names the
 * node's JVM, and {@code bin/cluster start <node>} starts it again on its data. Kills only a process whose command
 * line names that node id and that data directory, so a node of another cluster on the machine is never touched.
 */
final class NodeProcesses {

    /** Bound on a SIGKILLed node stopping, and on it being reaped. */
    static final Duration EXIT_WAIT = Duration.ofSeconds(10);

    /** How often a killed node is checked for having stopped. */
    static final Duration EXIT_POLL = Duration.ofMillis(1);

    private final Path dataDir;
    private final Path clusterScript;
    private final Path scriptLog;

    NodeProcesses(Path dataDir, Path clusterScript) {
        this.dataDir = dataDir.toAbsolutePath().normalize();
        this.clusterScript = clusterScript.toAbsolutePath().normalize();
        this.scriptLog = this.dataDir.resolve("bench-failover.log");
    }

    /** Where the output of the cluster script goes. */
    Path scriptLog() {
        return scriptLog;
    }

    /** The live JVM of {@code node}, checked against the node id and data directory on its command line. */
    ProcessHandle nodeProcess(String node) throws IOException {
        return runningNode(node).orElseThrow(() -> new IOException(node + " is not running (" + pidFile(node) + ")"));
    }

    /**
     * The live JVM of {@code node}, or empty when its pid file is missing or names no live process.
     *
     * @throws IOException when the pid names a live process that is not this cluster's {@code node}
     */
    Optional<ProcessHandle> runningNode(String node) throws IOException {
        Path pidFile = pidFile(node);
        if (!Files.exists(pidFile)) {
            return Optional.empty();
        }
        long pid;
        try {
            pid = Long.parseLong(Files.readString(pidFile).strip());
        } catch (NumberFormatException e) {
            throw new IOException(pidFile + " holds no pid", e);
        }
        Optional<ProcessHandle> handle = ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
        if (handle.isEmpty()) {
            return handle;
        }
        List<String> arguments = List.of(handle.get().info().arguments().orElse(new String[0]));
        if (!arguments.contains("-Dsinkron.node.id=" + node) || !namesDataDir(arguments, node)) {
            throw new IOException(
                    node + ": pid " + pid + " is not this cluster's node " + node + " (arguments " + arguments + ")");
        }
        return handle;
    }

    private Path pidFile(String node) {
        return dataDir.resolve(node).resolve("node.pid");
    }

    private boolean namesDataDir(List<String> arguments, String node) throws IOException {
        String flag = "-Dsinkron.node.data-dir=";
        Path own = dataDir.resolve(node);
        Path ownReal = own.toRealPath();
        for (String argument : arguments) {
            if (argument.startsWith(flag)) {
                Path named = Path.of(argument.substring(flag.length()))
                        .toAbsolutePath()
                        .normalize();
                return named.equals(own)
                        || (Files.exists(named) && named.toRealPath().equals(ownReal));
            }
        }
        return false;
    }

    /**
     * SIGKILLs the node (on Linux {@link ProcessHandle#destroyForcibly()} sends SIGKILL) and returns
     * {@link System#nanoTime()} taken right after the signal was sent; returns once the process has stopped running
     * (a zombie or gone), polled every {@link #EXIT_POLL}. Not {@link ProcessHandle#onExit()} here: for a process that
     * is not our child the JDK polls it every 300 ms and more, which would add that much to every measured failover;
     * {@link #awaitReaped} uses it later, outside the timed window.
     */
    long kill(ProcessHandle node) throws IOException, InterruptedException {
        if (!node.destroyForcibly()) {
            throw new IOException("could not signal pid " + node.pid());
        }
        long sentNanos = System.nanoTime();
        while (!stopped(node)) {
            if (System.nanoTime() - sentNanos > EXIT_WAIT.toNanos()) {
                throw new IOException(
                        "pid " + node.pid() + " still running " + EXIT_WAIT.toSeconds() + "s after SIGKILL");
            }
            Thread.sleep(EXIT_POLL);
        }
        return sentNanos;
    }

    /** Waits, bounded, until the killed process is reaped, so its pid and ports are free for a restart. */
    void awaitReaped(ProcessHandle node) throws IOException, InterruptedException {
        try {
            node.onExit().get(EXIT_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IOException("pid " + node.pid() + " not reaped " + EXIT_WAIT.toSeconds() + "s after SIGKILL", e);
        }
    }

    /** Whether the process no longer runs: its {@code /proc} entry is gone or says zombie or dead. */
    private static boolean stopped(ProcessHandle node) throws IOException {
        Path stat = Path.of("/proc", Long.toString(node.pid()), "stat");
        if (!Files.isDirectory(Path.of("/proc", "self"))) {
            return !node.isAlive(); // no procfs: fall back to the JDK's view, which counts a zombie as alive
        }
        try {
            return stoppedState(Files.readString(stat));
        } catch (NoSuchFileException e) {
            return true;
        }
    }

    /**
     * Reads the state field of a {@code /proc/<pid>/stat} line ({@code pid (comm) S ...}; comm may hold spaces and
     * parentheses, so the state follows the last ')'): true for Z (zombie) and X (dead).
     */
    static boolean stoppedState(String statLine) {
        int end = statLine.lastIndexOf(')');
        if (end < 0 || end + 2 >= statLine.length()) {
            throw new IllegalArgumentException("not a /proc/<pid>/stat line: " + statLine);
        }
        char state = statLine.charAt(end + 2);
        return state == 'Z' || state == 'X';
    }

    /** Runs {@code <cluster-script> start <node>}, which returns once the node is ready or gave up. */
    void start(String node, Duration bound) throws IOException, InterruptedException {
        Process script = new ProcessBuilder(clusterScript.toString(), "start", node)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(scriptLog.toFile()))
                .start();
        if (!script.waitFor(bound.toMillis(), TimeUnit.MILLISECONDS)) {
            // Only the script is ours to stop; the node it launched lives in its own session.
            script.destroyForcibly();
            throw new IOException(
                    clusterScript + " start " + node + " did not finish within " + bound + "; see " + scriptLog);
        }
        if (script.exitValue() != 0) {
            throw new IOException(
                    clusterScript + " start " + node + " exited " + script.exitValue() + "; see " + scriptLog);
        }
    }
}
