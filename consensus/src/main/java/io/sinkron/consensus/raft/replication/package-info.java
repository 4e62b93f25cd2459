/** Leader-side replication state per follower: probing, pipelining with a bounded window, snapshot sending. */
package io.sinkron.consensus.raft.replication;
