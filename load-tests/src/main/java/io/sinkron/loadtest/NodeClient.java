package io.sinkron.loadtest;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sinkron.api.cluster.ClusterView;
import io.sinkron.api.cluster.Placement;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** The few node endpoints the failover scenario uses. Blocking; safe to call from several threads. */
final class NodeClient {

    /** Per-request bound of the probes (cluster view, placement, readiness). */
    static final Duration PROBE_TIMEOUT = Duration.ofSeconds(2);

    /** Header naming the client for at-most-once PUTs. */
    static final String CLIENT_ID_HEADER = "Sinkron-Client-Id";

    /** Header with the client's request sequence number, growing per client. */
    static final String SEQUENCE_HEADER = "Sinkron-Sequence";

    private final HttpClient http;
    private final ObjectMapper json;

    NodeClient(HttpClient http) {
        this.http = http;
        // Nodes may add fields to their answers; the driver reads only the ones it knows.
        this.json = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    }

    /** {@code GET /v1/cluster}. */
    ClusterView cluster(URI node) throws IOException, InterruptedException {
        return getJson(node.resolve("/v1/cluster"), ClusterView.class);
    }

    /** {@code GET /v1/cluster/placement/{name}}: the shard of a name and the leader the node knows of. */
    Placement placement(URI node, String name) throws IOException, InterruptedException {
        return getJson(node.resolve("/v1/cluster/placement/" + encode(name)), Placement.class);
    }

    /** Whether {@code GET /q/health/ready} answers 200; a connection failure is "not ready". */
    boolean ready(URI node) throws InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(node.resolve("/q/health/ready"))
                .timeout(PROBE_TIMEOUT)
                .GET()
                .build();
        try {
            return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * {@code PUT /v1/kv/{key}} with an at-most-once session; returns the response (status and body as text).
     *
     * @throws IOException on a connection failure or when {@code attemptTimeout} passes without an answer
     */
    HttpResponse<String> put(
            URI node, String key, byte[] value, String clientId, long sequence, Duration attemptTimeout)
            throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(node.resolve("/v1/kv/" + encode(key)))
                .timeout(attemptTimeout)
                .header("Content-Type", "application/octet-stream")
                .header(CLIENT_ID_HEADER, clientId)
                .header(SEQUENCE_HEADER, Long.toString(sequence))
                .PUT(HttpRequest.BodyPublishers.ofByteArray(value))
                .build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    /** {@code GET /v1/kv/{key}?consistency=local}: the answering node's own replica, no leader involved. */
    HttpResponse<byte[]> getLocal(URI node, String key) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(node.resolve("/v1/kv/" + encode(key) + "?consistency=local"))
                .timeout(PROBE_TIMEOUT)
                .GET()
                .build();
        return http.send(request, HttpResponse.BodyHandlers.ofByteArray());
    }

    private <T> T getJson(URI uri, Class<T> type) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(uri)
                .timeout(PROBE_TIMEOUT)
                .header("Accept", "application/json")
                .GET()
                .build();
        HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        if (response.statusCode() != 200) {
            throw new IOException("GET " + uri + " answered " + response.statusCode() + ": "
                    + new String(response.body(), StandardCharsets.UTF_8));
        }
        return json.readValue(response.body(), type);
    }

    private static String encode(String name) {
        // Keys and names are [A-Za-z0-9._:/-]; keep '/' and ':' as path characters.
        return URLEncoder.encode(name, StandardCharsets.UTF_8)
                .replace("%2F", "/")
                .replace("%3A", ":");
    }
}
