/**
 * A linearizability checker for histories recorded by the simulation and by tests: Wing &amp; Gong's search with Lowe's
 * just-in-time linearization and memoization, run per partition key (P-compositionality). Pure and single-threaded;
 * every search is bounded by an explicit step budget. See {@code docs/linearizability.md}.
 */
package io.sinkron.consensus.check;
