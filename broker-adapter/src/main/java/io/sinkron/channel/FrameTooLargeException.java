package io.sinkron.channel;

/** A frame over {@link ChannelLimits#frameBytesMax()}: refused, nothing was sent. */
public final class FrameTooLargeException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    public FrameTooLargeException(int frameBytes, int frameBytesMax) {
        super("frame of " + frameBytes + " bytes exceeds the limit of " + frameBytesMax + " bytes");
    }
}
