package io.sinkron.channel.tcp;

import io.sinkron.channel.Channel;
import io.sinkron.channel.ChannelOverloadedException;
import io.sinkron.channel.FrameHandler;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A channel over direct TCP connections (Vert.x): one outbound connection per peer, kept open and re-established
 * with a doubling delay, plus an inbound server that peers connect to. Frames are length-prefixed (see {@link
 * FrameCodec}); frames sent to one peer from any thread gather in its outbox, and one event-loop task moves all of
 * them onto the connection as one write.
 *
 * <p>Threads: every piece of mutable state is confined to one Vert.x event-loop context; {@link #send} only hops
 * onto it. The inbound handler is called on that event loop, so it must not block. One TCP connection per
 * sender-receiver pair gives the per-sender FIFO of the {@link Channel} contract; frames written to a connection that
 * then breaks are lost, which the protocols above tolerate.
 */
public final class TcpChannel implements Channel {

    private static final Logger LOG = LoggerFactory.getLogger(TcpChannel.class);
    private static final long CLOSE_WAIT_SECONDS = 5;

    private final Vertx vertx;
    private final Context context;
    private final TcpChannelConfig config;
    private final FrameHandler handler;
    private final NetServer server;
    private final NetClient client;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicInteger queuedFrames = new AtomicInteger();
    // Confined to the context:
    private final Map<String, PeerLink> links = new HashMap<>();
    private final Set<NetSocket> inbound = new HashSet<>();
    private final Map<String, Outbox> outboxes = new ConcurrentHashMap<>();

    private TcpChannel(Vertx vertx, TcpChannelConfig config, FrameHandler handler) {
        this.vertx = vertx;
        this.context = vertx.getOrCreateContext();
        this.config = config;
        this.handler = handler;
        this.server = vertx.createNetServer(new NetServerOptions()
                .setHost(config.bindHost())
                .setPort(config.bindPort())
                .setTcpNoDelay(true)
                .setReuseAddress(true));
        this.client =
                vertx.createNetClient(new NetClientOptions().setTcpNoDelay(true).setConnectTimeout((int)
                        config.connectTimeout().toMillis()));
    }

    /** Starts listening; completes with the open channel once the server is bound. */
    public static CompletionStage<TcpChannel> open(Vertx vertx, TcpChannelConfig config, FrameHandler handler) {
        TcpChannel channel = new TcpChannel(vertx, config, handler);
        CompletableFuture<TcpChannel> result = new CompletableFuture<>();
        channel.context.runOnContext(ignored -> channel.server
                .connectHandler(channel::accept)
                .listen()
                .onSuccess(s -> result.complete(channel))
                .onFailure(result::completeExceptionally));
        return result;
    }

    /** The port the inbound server is bound to. */
    public int port() {
        return server.actualPort();
    }

    @Override
    public String self() {
        return config.self();
    }

    @Override
    public CompletionStage<Void> send(String peer, byte[] frame) {
        config.limits().checkFrame(frame);
        if (closed.get()) {
            return CompletableFuture.failedFuture(new IllegalStateException("channel of " + self() + " is closed"));
        }
        if (queuedFrames.incrementAndGet() > config.sendQueueFramesMax()) {
            queuedFrames.decrementAndGet();
            return CompletableFuture.failedFuture(new ChannelOverloadedException(self(), config.sendQueueFramesMax()));
        }
        CompletableFuture<Void> result = new CompletableFuture<>();
        Outbox outbox = outboxes.computeIfAbsent(peer, ignored -> new Outbox());
        outbox.frames.add(new Pending(frame, result));
        if (outbox.scheduled.compareAndSet(false, true)) {
            context.runOnContext(ignored -> drain(peer, outbox));
        }
        return result;
    }

    /**
     * Moves everything sent to {@code peer} since the last drain onto its link and writes it: one event-loop task per
     * burst of sends rather than one per frame (the Raft driver sends a turn's messages back to back).
     */
    private void drain(String peer, Outbox outbox) {
        outbox.scheduled.set(false); // first: a frame added from now on schedules another drain
        if (closed.get()) {
            failAll(outbox, new IllegalStateException("channel of " + self() + " is closed"));
            return;
        }
        PeerLink link = links.computeIfAbsent(peer, PeerLink::new);
        Pending pending;
        while ((pending = outbox.frames.poll()) != null) {
            link.queue.add(pending);
        }
        link.enqueued();
    }

    private void failAll(Outbox outbox, RuntimeException error) {
        Pending pending;
        while ((pending = outbox.frames.poll()) != null) {
            queuedFrames.decrementAndGet();
            pending.result().completeExceptionally(error);
        }
    }

    /** Closes every connection and the server. Blocks up to 5 s unless called on an event loop. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        Promise<Void> done = Promise.promise();
        context.runOnContext(ignored -> {
            IllegalStateException closedError = new IllegalStateException("channel of " + self() + " closed");
            outboxes.values().forEach(outbox -> failAll(outbox, closedError));
            links.values().forEach(PeerLink::shutdown);
            inbound.forEach(NetSocket::close);
            inbound.clear();
            Future.join(server.close(), client.close()).<Void>mapEmpty().onComplete(done);
        });
        if (!Context.isOnEventLoopThread()) {
            try {
                done.future().toCompletionStage().toCompletableFuture().get(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | TimeoutException e) {
                LOG.warn("channel of {} did not close cleanly", self(), e);
            }
        }
    }

    private void accept(NetSocket socket) {
        if (closed.get()) {
            socket.close();
            return;
        }
        inbound.add(socket);
        socket.closeHandler(ignored -> inbound.remove(socket));
        socket.exceptionHandler(e -> socket.close());
        new InboundDecoder(socket, config.limits().frameBytesMax(), this::deliver);
    }

    private void deliver(String from, byte[] frame) {
        if (closed.get()) {
            return;
        }
        try {
            handler.onFrame(from, frame);
        } catch (RuntimeException e) {
            LOG.warn("handler of {} failed on a frame from {}; frame dropped", self(), from, e);
        }
    }

    private record Pending(byte[] frame, CompletableFuture<Void> result) {}

    /** Frames sent to one peer and not yet on its link; filled from any thread, drained on the context. */
    private static final class Outbox {
        final ConcurrentLinkedQueue<Pending> frames = new ConcurrentLinkedQueue<>();
        final AtomicBoolean scheduled = new AtomicBoolean();
    }

    /** The outbound side towards one peer: a queue, at most one connection, and its reconnect timer. */
    private final class PeerLink {
        private final String peer;
        final java.util.ArrayDeque<Pending> queue = new java.util.ArrayDeque<>();
        private NetSocket socket;
        private boolean connecting;
        private boolean flushScheduled;
        private long reconnectTimer = -1;
        private long reconnectDelayMillis;

        PeerLink(String peer) {
            this.peer = peer;
        }

        /** Frames were added to the queue (by a drain, already a task of its own): write them now. */
        void enqueued() {
            if (socket != null) {
                flush();
            } else {
                connectSoon();
            }
        }

        private void scheduleFlush() {
            if (!flushScheduled) {
                flushScheduled = true;
                // Batching: everything enqueued during this event-loop turn leaves in one write.
                context.runOnContext(ignored -> flush());
            }
        }

        private void flush() {
            flushScheduled = false;
            if (socket == null || queue.isEmpty()) {
                return;
            }
            if (socket.writeQueueFull()) {
                socket.drainHandler(ignored -> scheduleFlush());
                return;
            }
            io.vertx.core.buffer.Buffer batch = io.vertx.core.buffer.Buffer.buffer();
            List<Pending> written = new ArrayList<>();
            while (!queue.isEmpty() && (written.isEmpty() || batch.length() < config.batchBytesMax())) {
                Pending pending = queue.poll();
                FrameCodec.appendFrame(batch, pending.frame());
                written.add(pending);
            }
            queuedFrames.addAndGet(-written.size());
            socket.write(batch)
                    .onComplete(ar -> written.forEach(p -> {
                        if (ar.succeeded()) {
                            p.result().complete(null);
                        } else {
                            p.result().completeExceptionally(ar.cause());
                        }
                    }));
            if (!queue.isEmpty()) {
                scheduleFlush();
            }
        }

        private void connectSoon() {
            if (connecting || reconnectTimer != -1 || closed.get()) {
                return;
            }
            if (reconnectDelayMillis == 0) {
                connect();
            } else {
                reconnectTimer = vertx.setTimer(reconnectDelayMillis, id -> {
                    reconnectTimer = -1;
                    connect();
                });
            }
        }

        private void connect() {
            var address = config.peers().addressOf(peer);
            if (address.isEmpty()) {
                backOff();
                return;
            }
            connecting = true;
            client.connect(address.get().getPort(), address.get().getHostString())
                    .onComplete(ar -> {
                        connecting = false;
                        if (ar.failed()) {
                            backOff();
                        } else if (closed.get()) {
                            ar.result().close();
                        } else {
                            connected(ar.result());
                        }
                    });
        }

        private void connected(NetSocket connection) {
            socket = connection;
            reconnectDelayMillis = 0;
            connection.closeHandler(ignored -> disconnected(connection));
            connection.exceptionHandler(e -> connection.close());
            connection.handler(ignored -> {}); // The receiver never writes back on this connection.
            connection.write(FrameCodec.hello(self()));
            scheduleFlush();
        }

        private void disconnected(NetSocket connection) {
            if (socket == connection) {
                socket = null;
                if (!queue.isEmpty()) {
                    backOff();
                }
            }
        }

        private void backOff() {
            long min = config.reconnectDelayMin().toMillis();
            reconnectDelayMillis = reconnectDelayMillis == 0
                    ? min
                    : Math.min(
                            reconnectDelayMillis * 2, config.reconnectDelayMax().toMillis());
            connectSoon();
        }

        void shutdown() {
            if (reconnectTimer != -1) {
                vertx.cancelTimer(reconnectTimer);
                reconnectTimer = -1;
            }
            if (socket != null) {
                socket.close();
                socket = null;
            }
            IllegalStateException closedError = new IllegalStateException("channel of " + self() + " closed");
            queuedFrames.addAndGet(-queue.size());
            queue.forEach(p -> p.result().completeExceptionally(closedError));
            queue.clear();
        }
    }
}
