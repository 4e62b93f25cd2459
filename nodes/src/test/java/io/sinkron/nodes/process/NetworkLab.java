package io.sinkron.nodes.process;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A private network for multi-process fault tests: one Linux network namespace per node, all joined by veth pairs to
 * a bridge in a "switch" namespace, plus one veth from the test's own namespace to the bridge so the test can reach
 * every node. Cutting a node sets its only interface down: it then reaches nobody and nobody reaches it (the test
 * included), as when its cable is pulled. Needs root and {@code ip} (iproute2); {@link #available()} says whether
 * this machine has them. Every address is inside namespaces this class created (10.231.&lt;subnet&gt;.0/24).
 *
 * <p>Names carry the test JVM's pid so concurrent or leftover labs do not collide; {@link #close()} deletes
 * everything it made.
 */
public final class NetworkLab implements AutoCloseable {

    private static final long COMMAND_WAIT_SECONDS = 10;

    private final String tag;
    private final String subnet;
    private final Map<String, String> namespaces = new LinkedHashMap<>();
    private final Map<String, String> addresses = new LinkedHashMap<>();
    private final List<String> cleanup = new ArrayList<>();

    private NetworkLab(String tag, String subnet) {
        this.tag = tag;
        this.subnet = subnet;
    }

    /** Whether this process may create namespaces here (root and iproute2 present). */
    public static boolean available() {
        try {
            return "root".equals(System.getProperty("user.name"))
                    && new ProcessBuilder("ip", "netns", "list")
                                    .redirectErrorStream(true)
                                    .start()
                                    .waitFor()
                            == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Creates namespaces and links for nodes n1..n{size}. */
    public static NetworkLab create(int size) throws IOException, InterruptedException {
        long pid = ProcessHandle.current().pid();
        NetworkLab lab = new NetworkLab("sk" + (pid % 100_000), "10.231." + (pid % 250 + 1));
        try {
            lab.build(size);
        } catch (IOException | InterruptedException | RuntimeException e) {
            lab.close();
            throw e;
        }
        return lab;
    }

    private void build(int size) throws IOException, InterruptedException {
        String sw = tag + "sw";
        ip("netns", "add", sw);
        cleanup.add(sw);
        ip("-n", sw, "link", "add", "br0", "type", "bridge");
        ip("-n", sw, "link", "set", "br0", "up");
        for (int i = 1; i <= size; i++) {
            String node = "n" + i;
            String ns = tag + node;
            ip("netns", "add", ns);
            cleanup.add(ns);
            ip("-n", ns, "link", "set", "lo", "up");
            String port = tag + "p" + i;
            ip("link", "add", port, "type", "veth", "peer", "name", "eth0", "netns", ns);
            ip("link", "set", port, "netns", sw);
            ip("-n", sw, "link", "set", port, "master", "br0");
            ip("-n", sw, "link", "set", port, "up");
            String address = subnet + "." + i;
            ip("-n", ns, "addr", "add", address + "/24", "dev", "eth0");
            ip("-n", ns, "link", "set", "eth0", "up");
            namespaces.put(node, ns);
            addresses.put(node, address);
        }
        // The test's own leg: deleting the switch namespace deletes its end, and with it this one.
        String host = tag + "h";
        ip("link", "add", host, "type", "veth", "peer", "name", "up0", "netns", sw);
        ip("-n", sw, "link", "set", "up0", "master", "br0");
        ip("-n", sw, "link", "set", "up0", "up");
        ip("addr", "add", subnet + ".100/24", "dev", host);
        ip("link", "set", host, "up");
    }

    /** The IPv4 address of a node inside its namespace. */
    public String address(String node) {
        return require(addresses, node);
    }

    /** The command prefix that runs a program inside the node's namespace. */
    public List<String> prefix(String node) {
        return List.of("ip", "netns", "exec", require(namespaces, node));
    }

    /** Pulls the node's cable: no packet leaves or reaches it until {@link #heal}. */
    public void cut(String node) throws IOException, InterruptedException {
        ip("-n", require(namespaces, node), "link", "set", "eth0", "down");
    }

    /** Plugs the cable back in. */
    public void heal(String node) throws IOException, InterruptedException {
        ip("-n", require(namespaces, node), "link", "set", "eth0", "up");
    }

    @Override
    public void close() throws IOException, InterruptedException {
        List<String> failures = new ArrayList<>();
        for (String ns : cleanup.reversed()) {
            try {
                ip("netns", "del", ns);
            } catch (IOException e) {
                failures.add(e.getMessage());
            }
        }
        cleanup.clear();
        if (!failures.isEmpty()) {
            throw new IOException("network lab cleanup failed: " + failures);
        }
    }

    private static String require(Map<String, String> map, String node) {
        String value = map.get(node);
        if (value == null) {
            throw new IllegalArgumentException("no node " + node + " in the lab");
        }
        return value;
    }

    private static void ip(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add("ip");
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        if (!process.waitFor(COMMAND_WAIT_SECONDS, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IOException(String.join(" ", command) + " did not finish");
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (process.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + output);
        }
    }
}
