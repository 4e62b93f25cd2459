package io.sinkron.nodes;

import io.quarkus.runtime.QuarkusBindException;
import io.sinkron.nodes.config.InvalidConfigurationException;
import io.sinkron.nodes.storage.postgres.StorageStartException;
import io.smallrye.config.ConfigValidationException;
import java.util.ArrayList;
import java.util.List;

/** Turns whatever stopped start-up into the one line an operator reads. */
final class StartupFailure {

    private StartupFailure() {}

    /**
     * The message of our own start-up exceptions, which are written for the operator; a sentence for a busy HTTP
     * port; otherwise the innermost cause's message. Always one line.
     */
    static String describe(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof InvalidConfigurationException || t instanceof StorageStartException) {
                return oneLine(t.getMessage());
            }
            if (t instanceof ConfigValidationException invalid) {
                List<String> problems = new ArrayList<>();
                for (int i = 0; i < invalid.getProblemCount(); i++) {
                    problems.add(invalid.getProblem(i).getMessage());
                }
                return oneLine("invalid configuration: " + String.join("; ", problems));
            }
            if (t instanceof QuarkusBindException bind) {
                return "HTTP port " + bind.getPort() + " on " + bind.getHost()
                        + " is already in use; choose another with quarkus.http.port";
            }
        }
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage() == null ? "" : ": " + root.getMessage();
        return oneLine("start-up failed: " + root.getClass().getSimpleName() + message);
    }

    static String oneLine(String message) {
        return message.strip().replaceAll(":\\s*\\R\\s*", ": ").replaceAll("\\s*\\R\\s*", "; ");
    }
}
