package io.sinkron.nodes.raft;

import io.sinkron.consensus.raft.HardState;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Raft node numbers for peer ids: the position of the id in the sorted peer-id list, plus one. Every node computes
 * the same numbers from the same static membership, which is all the core needs ({@link HardState#NONE} is -1, and 0
 * is left unused so a default int never names a node).
 */
final class NodeIds {

    private final List<String> sorted;
    private final Map<String, Integer> numbers = new TreeMap<>();

    NodeIds(List<String> peerIds) {
        this.sorted = peerIds.stream().sorted().distinct().toList();
        for (int i = 0; i < sorted.size(); i++) {
            numbers.put(sorted.get(i), i + 1);
        }
    }

    int numberOf(String peerId) {
        Integer number = numbers.get(peerId);
        if (number == null) {
            throw new IllegalArgumentException("unknown peer " + peerId);
        }
        return number;
    }

    /** The peer id of node {@code number}, or null for {@link HardState#NONE} and unknown numbers. */
    String peerOf(int number) {
        return number >= 1 && number <= sorted.size() ? sorted.get(number - 1) : null;
    }
}
