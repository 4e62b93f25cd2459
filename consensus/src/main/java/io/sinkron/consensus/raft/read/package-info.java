/** ReadIndex linearizable reads (Raft dissertation §6.4). */
package io.sinkron.consensus.raft.read;
