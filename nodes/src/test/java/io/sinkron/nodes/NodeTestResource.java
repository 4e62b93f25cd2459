package io.sinkron.nodes;

import com.sun.net.httpserver.HttpServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Gives the node under test a fresh data directory (so a real embedded PostgreSQL is initialised in it), a free
 * embedded PostgreSQL port, and two peers: {@code n2}, a stand-in that answers {@code /q/health/live} with 200, and
 * {@code n3}, a port nobody listens on.
 */
public final class NodeTestResource implements QuarkusTestResourceLifecycleManager {

    private Path dataDir;
    private HttpServer livePeer;

    @Override
    public Map<String, String> start() {
        try {
            dataDir = Files.createTempDirectory("sinkron-it-");
            livePeer = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        livePeer.createContext("/q/health/live", exchange -> {
            byte[] body = "{\"status\":\"UP\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        livePeer.start();
        String peers = "n1=http://127.0.0.1:" + TestPorts.free()
                + ",n2=http://127.0.0.1:" + livePeer.getAddress().getPort()
                + ",n3=http://127.0.0.1:" + TestPorts.free();
        return Map.of(
                "sinkron.node.id",
                "n1",
                "sinkron.node.peers",
                peers,
                "sinkron.node.data-dir",
                dataDir.toString(),
                "sinkron.postgres.embedded-port",
                Integer.toString(TestPorts.free()),
                "sinkron.membership.probe-interval",
                "100ms",
                "sinkron.membership.probe-timeout",
                "500ms");
    }

    @Override
    public void stop() {
        if (livePeer != null) {
            livePeer.stop(0);
        }
        if (dataDir != null) {
            TestFiles.deleteTree(dataDir);
        }
    }
}
