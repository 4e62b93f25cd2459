/**
 * The wire form of Raft: the messages nodes exchange ({@link io.sinkron.schemas.raft.RaftMessage}), the log entries
 * and snapshot metadata they carry, and {@link io.sinkron.schemas.raft.RaftCodec}, a versioned binary codec with
 * bounded lengths. Self-contained: depends on the JDK only, so the consensus core, the channels and the nodes share
 * one definition.
 */
package io.sinkron.schemas.raft;
