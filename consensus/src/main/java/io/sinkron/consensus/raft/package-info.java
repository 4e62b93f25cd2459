/**
 * Raft as a pure state machine. {@link io.sinkron.consensus.raft.RaftNode} takes inputs ({@code tick}, {@code step},
 * {@code propose}, {@code readIndex}, {@code transferLeadership}, {@code changeMembership}, {@code compact}) and
 * accumulates effects that {@link io.sinkron.consensus.raft.RaftNode#ready()} hands out as one {@link
 * io.sinkron.consensus.raft.Ready} batch. Storage and the state machine are SPIs the driver calls ({@link
 * io.sinkron.consensus.raft.RaftStorage}, {@link io.sinkron.consensus.raft.StateMachine}). See {@code docs/raft.md}.
 */
package io.sinkron.consensus.raft;
