package io.sinkron.nodes.config;

/**
 * The node was started with configuration it cannot run with. The message is one line, names the property and is
 * shown to the operator as is, so it says what to change.
 */
public final class InvalidConfigurationException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public InvalidConfigurationException(String message) {
        super(message);
    }
}
