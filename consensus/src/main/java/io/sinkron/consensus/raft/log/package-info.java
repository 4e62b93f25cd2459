/** The replicated log (Raft §5.3) with its snapshot prefix (Raft §7). */
package io.sinkron.consensus.raft.log;
