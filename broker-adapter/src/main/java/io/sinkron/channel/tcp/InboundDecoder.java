package io.sinkron.channel.tcp;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import io.vertx.core.parsetools.RecordParser;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Splits one inbound connection's byte stream into frames: alternately a 4-byte length and a body of that length.
 * The first body is the hello naming the sender. A length over the limit or a bad hello closes the connection: the
 * stream can no longer be trusted to be in step.
 */
final class InboundDecoder {

    private static final Logger LOG = LoggerFactory.getLogger(InboundDecoder.class);

    private final NetSocket socket;
    private final int frameBytesMax;
    private final BiConsumer<String, byte[]> sink;
    private final RecordParser parser;
    private boolean expectingLength = true;
    private String sender;

    InboundDecoder(NetSocket socket, int frameBytesMax, BiConsumer<String, byte[]> sink) {
        this.socket = socket;
        this.frameBytesMax = frameBytesMax;
        this.sink = sink;
        this.parser = RecordParser.newFixed(FrameCodec.LENGTH_BYTES, this::onRecord);
        socket.handler(parser);
    }

    private void onRecord(Buffer record) {
        if (expectingLength) {
            int length = record.getInt(0);
            int max = sender == null ? FrameCodec.HELLO_BYTES_MAX : frameBytesMax;
            if (length < 0 || length > max) {
                refuse("frame length " + length + " outside 0.." + max);
            } else if (length == 0) {
                onBody(Buffer.buffer());
            } else {
                expectingLength = false;
                parser.fixedSizeMode(length);
            }
        } else {
            expectingLength = true;
            parser.fixedSizeMode(FrameCodec.LENGTH_BYTES);
            onBody(record);
        }
    }

    private void onBody(Buffer body) {
        if (sender != null) {
            sink.accept(sender, body.getBytes());
            return;
        }
        try {
            sender = FrameCodec.parseHello(body);
        } catch (IllegalArgumentException e) {
            refuse(e.getMessage());
        }
    }

    private void refuse(String why) {
        LOG.warn("closing inbound connection from {}: {}", socket.remoteAddress(), why);
        socket.close();
    }
}
