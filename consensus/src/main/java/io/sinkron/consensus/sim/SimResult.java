package io.sinkron.consensus.sim;

import io.sinkron.consensus.check.LinearizabilityResult;

/**
 * What a completed run observed.
 *
 * @param seed the seed
 * @param traceHash a hash of every delivered message, role change and applied entry, in order: equal for equal seeds
 * @param committedIndex highest index applied anywhere
 * @param leaderTerms terms that had a leader
 * @param messagesDelivered messages delivered
 * @param operations client operations in the history
 * @param linearizability the checker's verdict on the history
 * @param livenessStep the step at which the post-fault marker was applied everywhere
 * @param coverage what the run exercised
 */
public record SimResult(
        long seed,
        long traceHash,
        long committedIndex,
        int leaderTerms,
        long messagesDelivered,
        int operations,
        LinearizabilityResult linearizability,
        long livenessStep,
        Coverage coverage) {}
