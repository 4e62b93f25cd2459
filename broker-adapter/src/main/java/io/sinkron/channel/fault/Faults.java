package io.sinkron.channel.fault;

import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The faults one {@link FaultyChannel} applies to what its node sends; changed by a test while traffic flows.
 * Randomness comes from a seed, so a failing run can name it. Thread-safe.
 */
public final class Faults {

    private final SplittableRandom random;
    private final Set<String> blockedPeers = ConcurrentHashMap.newKeySet();
    private volatile double dropRate;
    private volatile double duplicateRate;
    private volatile long delayMillisMax;

    public Faults(long seed) {
        this.random = new SplittableRandom(seed);
    }

    /** Frames to {@code peer} vanish until {@link #heal(String)} (one direction of a partition). */
    public Faults block(String peer) {
        blockedPeers.add(peer);
        return this;
    }

    public Faults heal(String peer) {
        blockedPeers.remove(peer);
        return this;
    }

    /** Removes every fault. */
    public Faults healAll() {
        blockedPeers.clear();
        dropRate = 0;
        duplicateRate = 0;
        delayMillisMax = 0;
        return this;
    }

    /** Each frame is lost with this probability. */
    public Faults dropRate(double rate) {
        this.dropRate = probability(rate);
        return this;
    }

    /** Each frame is sent twice with this probability. */
    public Faults duplicateRate(double rate) {
        this.duplicateRate = probability(rate);
        return this;
    }

    /** Each frame waits a uniformly random 0..max ms before it is sent; delayed frames may overtake each other. */
    public Faults delayMillisMax(long max) {
        if (max < 0) {
            throw new IllegalArgumentException("delay must not be negative");
        }
        this.delayMillisMax = max;
        return this;
    }

    boolean blocked(String peer) {
        return blockedPeers.contains(peer);
    }

    synchronized boolean roll(double rate) {
        return rate > 0 && random.nextDouble() < rate;
    }

    double dropRate() {
        return dropRate;
    }

    double duplicateRate() {
        return duplicateRate;
    }

    synchronized long nextDelayMillis() {
        long max = delayMillisMax;
        return max == 0 ? 0 : random.nextLong(max + 1);
    }

    private static double probability(double rate) {
        if (!(rate >= 0 && rate <= 1)) {
            throw new IllegalArgumentException("a rate is a probability in [0, 1], was " + rate);
        }
        return rate;
    }
}
