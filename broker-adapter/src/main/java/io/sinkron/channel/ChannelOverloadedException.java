package io.sinkron.channel;

/** The channel's bounded send queue is full: the frame was refused, not queued. The caller may retry later. */
public final class ChannelOverloadedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public ChannelOverloadedException(String self, int queuedFramesMax) {
        super("channel of " + self + " has " + queuedFramesMax + " frames queued for sending; refusing more");
    }
}
