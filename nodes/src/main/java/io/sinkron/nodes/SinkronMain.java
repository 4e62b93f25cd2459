package io.sinkron.nodes;

import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.QuarkusApplication;
import io.quarkus.runtime.annotations.QuarkusMain;

/**
 * The node's entry point. Runs Quarkus with an exit handler of our own so that a node that cannot start says why in
 * one {@code sinkron: ...} line on stderr and exits non-zero, instead of a stack-trace wall. (Quarkus logs a start-up
 * failure only when no exit handler is given.)
 */
@QuarkusMain
public final class SinkronMain {

    public static void main(String... args) {
        Quarkus.run(Node.class, SinkronMain::exit, args);
    }

    private static void exit(int code, Throwable failure) {
        if (failure != null) {
            System.err.println("sinkron: " + StartupFailure.describe(failure));
            System.err.flush();
            System.exit(code == 0 ? 1 : code);
        }
        System.exit(code);
    }

    /** Runs until asked to stop (SIGTERM, SIGINT). */
    public static final class Node implements QuarkusApplication {

        @Override
        public int run(String... args) {
            Quarkus.waitForExit();
            return 0;
        }
    }
}
