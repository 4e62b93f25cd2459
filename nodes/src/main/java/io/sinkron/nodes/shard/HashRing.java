package io.sinkron.nodes.shard;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A consistent-hash ring (Karger et al.): every member owns {@code virtualNodes} points on a 64-bit ring, and a key
 * belongs to the first points clockwise from its own hash. Immutable; {@link #with} and {@link #without} return new
 * rings, so a membership change is one reference swap for readers.
 *
 * <p>Why virtual nodes: with 150 points per member the arcs even out (each member's share stays within a few percent
 * of 1/n) and a joining member takes a little from everyone instead of half of one neighbour.
 *
 * <p>Hashes are the first 8 bytes of SHA-256: slow next to a mixing function, but stable across JVMs, versions and
 * languages, which placement that survives restarts and upgrades needs; lookups cost one hash and one tree search.
 */
public final class HashRing {

    /** Points per member, as DESIGN.md §2 fixes it. */
    public static final int VIRTUAL_NODES_DEFAULT = 150;

    /** Members a ring may hold: bounds the point tree at 150k entries. */
    public static final int MEMBERS_MAX = 1_000;

    private final SortedSet<String> members;
    private final int virtualNodes;
    private final NavigableMap<Long, String> points;

    private HashRing(SortedSet<String> members, int virtualNodes) {
        if (virtualNodes < 1 || virtualNodes > 1_000) {
            throw new IllegalArgumentException("virtualNodes must be 1..1000, was " + virtualNodes);
        }
        if (members.size() > MEMBERS_MAX) {
            throw new IllegalArgumentException("a ring holds at most " + MEMBERS_MAX + " members");
        }
        this.members = members;
        this.virtualNodes = virtualNodes;
        this.points = new TreeMap<>();
        for (String member : members) {
            for (int v = 0; v < virtualNodes; v++) {
                // On the (astronomically unlikely) collision the smaller member id keeps the point, on every node.
                points.merge(hash(member + "#" + v), member, (a, b) -> a.compareTo(b) <= 0 ? a : b);
            }
        }
    }

    public static HashRing of(Collection<String> members) {
        return of(members, VIRTUAL_NODES_DEFAULT);
    }

    public static HashRing of(Collection<String> members, int virtualNodes) {
        return new HashRing(new TreeSet<>(members), virtualNodes);
    }

    public Set<String> members() {
        return java.util.Collections.unmodifiableSortedSet(members);
    }

    public HashRing with(String member) {
        SortedSet<String> next = new TreeSet<>(members);
        next.add(member);
        return new HashRing(next, virtualNodes);
    }

    public HashRing without(String member) {
        SortedSet<String> next = new TreeSet<>(members);
        next.remove(member);
        return new HashRing(next, virtualNodes);
    }

    /** The member owning {@code key}: the first point clockwise from the key's hash. */
    public String ownerOf(String key) {
        requireMembers();
        return pointAtOrAfter(hash(key)).getValue();
    }

    /**
     * The first {@code count} distinct members clockwise from {@code key} (fewer when the ring has fewer members):
     * the replicas of whatever lives at {@code key}, the owner first.
     */
    public List<String> successorsOf(String key, int count) {
        requireMembers();
        if (count < 1) {
            throw new IllegalArgumentException("count must be positive, was " + count);
        }
        int wanted = Math.min(count, members.size());
        Set<String> found = new LinkedHashSet<>();
        long from = hash(key);
        for (Map.Entry<Long, String> point : points.tailMap(from, true).entrySet()) {
            if (found.add(point.getValue()) && found.size() == wanted) {
                return List.copyOf(found);
            }
        }
        for (String member : points.values()) {
            if (found.add(member) && found.size() == wanted) {
                break;
            }
        }
        return List.copyOf(new ArrayList<>(found));
    }

    private Map.Entry<Long, String> pointAtOrAfter(long h) {
        Map.Entry<Long, String> point = points.ceilingEntry(h);
        return point != null ? point : points.firstEntry();
    }

    private void requireMembers() {
        if (members.isEmpty()) {
            throw new IllegalStateException("the ring has no members");
        }
    }

    static long hash(String value) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
            return ByteBuffer.wrap(digest, 0, Long.BYTES).getLong();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM ships SHA-256", e);
        }
    }
}
