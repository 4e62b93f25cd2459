package io.sinkron.channel;

/**
 * Limits every channel enforces.
 *
 * @param frameBytesMax the largest frame accepted by {@link Channel#send}; larger ones are refused before sending
 */
public record ChannelLimits(int frameBytesMax) {

    /** 4 MiB: room for a batch of log entries or one snapshot chunk, small enough to bound memory per frame. */
    public static final ChannelLimits DEFAULT = new ChannelLimits(4 * 1024 * 1024);

    public ChannelLimits {
        if (frameBytesMax <= 0) {
            throw new IllegalArgumentException("frameBytesMax must be positive, was " + frameBytesMax);
        }
    }

    /** Throws {@link FrameTooLargeException} when {@code frame} is over the limit. */
    public void checkFrame(byte[] frame) {
        if (frame.length > frameBytesMax) {
            throw new FrameTooLargeException(frame.length, frameBytesMax);
        }
    }
}
