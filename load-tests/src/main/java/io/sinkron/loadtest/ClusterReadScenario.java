package io.sinkron.loadtest;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** GET /v1/cluster: the cheapest request a node serves; a floor for HTTP and framework overhead. */
final class ClusterReadScenario implements Scenario {

    @Override
    public String name() {
        return "cluster-read";
    }

    @Override
    public Worker worker(int index, Context context) {
        HttpRequest request = HttpRequest.newBuilder(context.targetFor(index).resolve(URI.create("/v1/cluster")))
                .timeout(Duration.ofSeconds(5))
                .GET()
                .build();
        return () -> {
            HttpResponse<Void> response = context.http().send(request, HttpResponse.BodyHandlers.discarding());
            if (response.statusCode() != 200) {
                throw new IOException("GET /v1/cluster answered " + response.statusCode());
            }
        };
    }
}
