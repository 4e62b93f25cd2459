package io.sinkron.channel.fault;

import io.sinkron.channel.Channel;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Wraps any channel and applies {@link Faults} to outgoing frames: partition (per peer, per direction), loss,
 * duplication and delay. A dropped frame's stage completes normally, as a real network gives no notice of loss. The
 * wrapper owns one scheduler thread ({@code sinkron-faults-<self>}) for delays, stopped by {@link #close()}.
 */
public final class FaultyChannel implements Channel {

    private final Channel inner;
    private final Faults faults;
    private final ScheduledExecutorService scheduler;

    public FaultyChannel(Channel inner, Faults faults) {
        this.inner = inner;
        this.faults = faults;
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "sinkron-faults-" + inner.self());
            thread.setDaemon(true);
            return thread;
        });
    }

    public Faults faults() {
        return faults;
    }

    @Override
    public String self() {
        return inner.self();
    }

    @Override
    public CompletionStage<Void> send(String peer, byte[] frame) {
        if (faults.blocked(peer) || faults.roll(faults.dropRate())) {
            return CompletableFuture.completedFuture(null);
        }
        int copies = faults.roll(faults.duplicateRate()) ? 2 : 1;
        CompletionStage<Void> last = CompletableFuture.completedFuture(null);
        for (int i = 0; i < copies; i++) {
            last = sendMaybeDelayed(peer, frame);
        }
        return last;
    }

    private CompletionStage<Void> sendMaybeDelayed(String peer, byte[] frame) {
        long delay = faults.nextDelayMillis();
        if (delay == 0) {
            return inner.send(peer, frame);
        }
        CompletableFuture<Void> result = new CompletableFuture<>();
        scheduler.schedule(
                () -> inner.send(peer, frame).whenComplete((ok, error) -> {
                    if (error == null) {
                        result.complete(null);
                    } else {
                        result.completeExceptionally(error);
                    }
                }),
                delay,
                TimeUnit.MILLISECONDS);
        return result;
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
        inner.close();
    }
}
