package io.sinkron.nodes.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/**
 * Everything a node is told from outside: system properties ({@code -Dsinkron.node.id=n1}), environment variables
 * ({@code SINKRON_NODE_ID=n1}) or {@code application.properties}. Read once at start-up and turned into a validated
 * {@link NodeSettings}; nothing else reads these raw values.
 */
@ConfigMapping(prefix = "sinkron")
public interface SinkronConfig {

    /** Who this node is and who its peers are. */
    Node node();

    /** Where the node's durable state lives. */
    Postgres postgres();

    /** How peers are watched. */
    Membership membership();

    /** The Raft groups (shards) this node replicates; see {@code io.sinkron.nodes.raft.RaftSettings}. */
    Raft raft();

    /** Which transport carries each message class between nodes. */
    Channel channel();

    /** Identity and static membership. */
    interface Node {

        /** This node's id, e.g. {@code n1}; must be one of the ids in {@code sinkron.node.peers}. No default. */
        Optional<String> id();

        /**
         * The static membership, this node included: {@code n1=http://127.0.0.1:8081,n2=http://127.0.0.1:8082}.
         * Default: this node alone, at {@code http://127.0.0.1:<quarkus.http.port>}.
         */
        Optional<String> peers();

        /** The node's own directory (the embedded PostgreSQL lives in {@code <data-dir>/pg}). Default: data/<id>. */
        Optional<String> dataDir();
    }

    /** The PostgreSQL server: an external one by URL, or an embedded one in the data directory. */
    interface Postgres {

        /**
         * An external server, {@code postgresql://user:password@host:port/database}. Default: none, so an embedded
         * PostgreSQL is started in {@code <data-dir>/pg}.
         */
        Optional<String> url();

        /** The port the embedded PostgreSQL listens on, on 127.0.0.1 only; one per node on a machine. */
        @WithDefault("15432")
        int embeddedPort();

        /** How long start-up keeps trying to reach the PostgreSQL server before the node gives up. */
        @WithDefault("10s")
        Duration connectTimeout();
    }

    /** Liveness probing of the peers. */
    interface Membership {

        /** How often every peer's {@code /q/health/live} is probed. */
        @WithDefault("500ms")
        Duration probeInterval();

        /** How long one probe may take before the peer counts as not alive. */
        @WithDefault("1s")
        Duration probeTimeout();
    }

    /**
     * Raft timing and sharding. Timeouts are counted in ticks (the core never reads a clock); the tick is the only
     * wall-clock length. Defaults: 10 ms ticks, election timeout 30 ticks drawn from [300, 600) ms, heartbeats every 3
     * ticks (30 ms) — well below the election timeout (Raft §5.6) yet cheap on loopback and a LAN.
     */
    interface Raft {

        /** Length of one logical tick of every local Raft core. */
        @WithDefault("10ms")
        Duration tick();

        /**
         * Base election timeout in ticks; each node draws from [this, 2 × this) (Raft §5.2). Unset: 30 on the tcp
         * channel, 100 on kafka (whose round trips are slower and far more variable).
         */
        Optional<Integer> electionTicks();

        /** Leader heartbeat period in ticks; must stay well below the election timeout. Unset: 3 on tcp, 10 on kafka. */
        Optional<Integer> heartbeatTicks();

        /** Number of shards (Raft groups); fixed for the life of a cluster, since names hash onto it. */
        @WithDefault("8")
        int shards();

        /** Replicas per shard: its ring successors (capped by the number of members). */
        @WithDefault("3")
        int replicationFactor();

        /** The Raft TCP port is the node's HTTP port plus this offset (peers are listed by their HTTP URLs). */
        @WithDefault("1000")
        int portOffset();

        /**
         * Applied entries after which a replica snapshots its state machine and compacts its log (Raft §7); a follower
         * that falls behind the compacted log is sent the snapshot.
         */
        @WithDefault("10000")
        long snapshotEntries();

        /**
         * Whether a shard's leader sends new entries to its followers while its own group commit is still running
         * (Raft dissertation §10.2.1), counting itself toward the commit quorum only once its own disk holds them: one
         * disk write less on every commit's path, and heartbeats no longer wait behind a slow commit. Off: the leader
         * sends only after its own commit.
         */
        @WithDefault("true")
        boolean leaderPersistsInParallel();

        /**
         * Where the Raft log (hard state, entries, snapshots of every local shard) is kept: {@code segmented} (default)
         * in checksummed segment files under {@code <data-dir>/raft-log}, each group commit one append and one {@code
         * fdatasync}; or {@code postgres} in the node's PostgreSQL, each group commit one transaction. A data directory
         * keeps the kind it was created with: a node refuses to start on a log of the other kind.
         */
        @WithDefault("segmented")
        String log();

        /** Bytes of writes after which the segmented log starts a new segment (with an image of the whole state). */
        @WithDefault("67108864")
        long logSegmentBytes();

        /** Inputs (messages, proposals, reads, ticks) waiting for the driver thread before new ones are refused. */
        @WithDefault("16384")
        int inputQueueCapacity();
    }

    /** Transport per message class. */
    interface Channel {

        /** Transport of Raft messages: {@code tcp} (direct, default) or {@code kafka} (needs kafka.bootstrap.servers). */
        @WithDefault("tcp")
        String raft();
    }
}
