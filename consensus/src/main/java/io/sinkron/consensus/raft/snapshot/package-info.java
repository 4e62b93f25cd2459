/** Chunked InstallSnapshot (Raft §7): assembling chunks on the follower. */
package io.sinkron.consensus.raft.snapshot;
