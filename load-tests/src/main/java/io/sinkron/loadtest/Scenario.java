package io.sinkron.loadtest;

import io.sinkron.api.client.SinkronClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.util.List;

/** One kind of client work the driver can measure. Implementations are stateless; state lives in each worker. */
public interface Scenario {

    /** Short name used on the command line and in reports. */
    String name();

    /**
     * Prepares worker {@code index} (sessions, names, connections) before timing starts. Called on the worker's own
     * thread; may block.
     */
    Worker worker(int index, Context context) throws Exception;

    /**
     * What a worker may use: the shared HTTP client, the cluster's node URLs, and one Java client shared by every
     * worker of the run (as an application would share it), or null where the scenario needs none.
     */
    record Context(HttpClient http, List<URI> targets, SinkronClient client) {
        /** Spreads workers over nodes: worker i talks to node i mod n. */
        public URI targetFor(int worker) {
            return targets.get(Math.floorMod(worker, targets.size()));
        }
    }

    /** One client loop: {@link #runOnce()} is timed; an exception counts as an error. */
    interface Worker extends AutoCloseable {
        void runOnce() throws Exception;

        @Override
        default void close() throws Exception {}
    }
}
