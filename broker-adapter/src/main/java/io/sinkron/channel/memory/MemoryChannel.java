package io.sinkron.channel.memory;

import io.sinkron.channel.Channel;
import io.sinkron.channel.FrameHandler;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A channel inside one JVM. Each receiver has one delivery thread ({@code sinkron-memory-<self>}) fed by a bounded
 * queue; a sender enqueues synchronously, so frames from one sender keep their order.
 */
public final class MemoryChannel implements Channel {

    private static final Logger LOG = LoggerFactory.getLogger(MemoryChannel.class);

    private final MemoryNetwork network;
    private final String self;
    private final FrameHandler handler;
    private final ThreadPoolExecutor delivery;
    private final AtomicBoolean closed = new AtomicBoolean();

    MemoryChannel(MemoryNetwork network, String self, FrameHandler handler, int inboxFramesMax) {
        this.network = network;
        this.self = self;
        this.handler = handler;
        this.delivery = new ThreadPoolExecutor(
                1,
                1,
                0,
                TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(inboxFramesMax),
                runnable -> new Thread(runnable, "sinkron-memory-" + self));
    }

    @Override
    public String self() {
        return self;
    }

    @Override
    public CompletionStage<Void> send(String peer, byte[] frame) {
        network.limits().checkFrame(frame);
        if (closed.get()) {
            return CompletableFuture.failedFuture(new IllegalStateException("channel of " + self + " is closed"));
        }
        network.deliver(self, peer, frame);
        return CompletableFuture.completedFuture(null);
    }

    boolean enqueue(String from, byte[] frame) {
        try {
            delivery.execute(() -> deliver(from, frame));
            return true;
        } catch (RejectedExecutionException e) {
            // A full inbox behaves like a congested link: the frame is lost, the protocols above retry.
            return false;
        }
    }

    private void deliver(String from, byte[] frame) {
        if (closed.get()) {
            return;
        }
        try {
            handler.onFrame(from, frame);
        } catch (RuntimeException e) {
            LOG.warn("handler of {} failed on a frame from {}; frame dropped", self, from, e);
        }
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            network.closed(this);
            delivery.shutdownNow();
        }
    }
}
