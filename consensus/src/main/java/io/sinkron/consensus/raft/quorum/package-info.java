/** Quorum arithmetic: majorities, vote tallies and the commit index a majority of match indices allows. */
package io.sinkron.consensus.raft.quorum;
