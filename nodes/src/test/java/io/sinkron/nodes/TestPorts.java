package io.sinkron.nodes;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Free loopback ports for tests, so no test depends on a fixed port. They come from below the kernel's ephemeral
 * range: a port from that range (what binding port 0 returns) can be taken by any outgoing connection between the pick
 * and the node's own bind, and CI once saw a node refuse to start for that reason. The port 1000 above each one (a
 * node's Raft port, {@code sinkron.raft.port-offset}) is free too.
 */
public final class TestPorts {

    /** The Raft port's distance from a node's HTTP port. */
    private static final int RAFT_PORT_OFFSET = 1000;

    /** How many ports below the ephemeral range (less the Raft offset) the picks cycle through. */
    private static final int SPAN = 10_000;

    private static int next;

    private TestPorts() {}

    /**
     * A port nothing listens on right now, nor on the port 1000 above it (either may be taken by the time it is used;
     * tests start at once). Successive calls in one JVM return different ports; JVMs start at different offsets.
     */
    public static synchronized int free() {
        int top = ephemeralLow() - RAFT_PORT_OFFSET; // exclusive
        int bottom = Math.max(1024, top - SPAN);
        if (next < bottom || next >= top) {
            next = bottom + (int) (ProcessHandle.current().pid() % 500) * 16 % (top - bottom);
        }
        for (int tries = 0; tries < top - bottom; tries++) {
            int port = next;
            next = port + 1 >= top ? bottom : port + 1;
            if (bindable(port) && bindable(port + RAFT_PORT_OFFSET)) {
                return port;
            }
        }
        throw new UncheckedIOException(new IOException("no free port pair in " + bottom + ".." + (top - 1)));
    }

    private static boolean bindable(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(false);
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** The lowest port the kernel gives outgoing connections (Linux: ip_local_port_range; otherwise 32768). */
    private static int ephemeralLow() {
        try {
            // readAllLines, not readString: on JDK 25 readString returned "3" for this procfs file.
            String range = Files.readAllLines(Path.of("/proc/sys/net/ipv4/ip_local_port_range"))
                    .getFirst()
                    .trim();
            int low = Integer.parseInt(range.split("\\s+")[0]);
            return low >= 1024 + SPAN + RAFT_PORT_OFFSET ? low : 32_768;
        } catch (IOException | RuntimeException e) {
            return 32_768;
        }
    }
}
