/**
 * A deterministic, single-threaded simulation of a whole Raft cluster: one seed drives message loss, duplication,
 * reordering and delay, symmetric and asymmetric partitions, crashes and restarts (only persisted state survives),
 * clock skew, leadership transfers and membership changes, while checkers verify Raft's safety properties after every
 * step and a linearizability checker verifies the clients' key-value history. Main code so later modules' tests can
 * reuse it; the build's purity rules apply (seeded randomness only, no clock). See {@code docs/raft.md}.
 */
package io.sinkron.consensus.sim;
