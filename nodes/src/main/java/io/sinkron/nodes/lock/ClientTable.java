package io.sinkron.nodes.lock;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * At-most-once application (Raft dissertation §6.3): per client id, the last applied sequence and its reply. At most
 * {@code clientsMax} clients are remembered; past it the one whose latest command is oldest in log order is forgotten
 * (so the same one on every replica). Lookups never reorder the table: reads on the leader must not make it differ
 * from a follower's.
 */
final class ClientTable {

    /** The latest applied command of one client. */
    record Entry(long sequence, LockReply reply) {}

    private final int clientsMax;
    // Insertion order = log order of each client's latest command: the eldest is evicted first.
    private final LinkedHashMap<String, Entry> clients = new LinkedHashMap<>();

    ClientTable(int clientsMax) {
        this.clientsMax = clientsMax;
    }

    /**
     * The answer to a command already seen: the remembered reply for a retry of the latest sequence, {@link
     * LockError#STALE_SEQUENCE} for an older one; empty for a new command.
     */
    Optional<LockReply> seen(String clientId, long sequence) {
        Entry entry = clients.get(clientId);
        if (entry == null || sequence > entry.sequence()) {
            return Optional.empty();
        }
        if (sequence == entry.sequence()) {
            return Optional.of(entry.reply());
        }
        return Optional.of(new LockReply.Error(
                LockError.STALE_SEQUENCE,
                "sequence " + sequence + " is older than the client's latest, " + entry.sequence()));
    }

    void remember(String clientId, long sequence, LockReply reply) {
        clients.remove(clientId);
        clients.put(clientId, new Entry(sequence, reply));
        Iterator<String> eldest = clients.keySet().iterator();
        while (clients.size() > clientsMax) {
            eldest.next();
            eldest.remove();
        }
    }

    int size() {
        return clients.size();
    }

    /** Entries eldest first, for the snapshot. */
    Iterable<Map.Entry<String, Entry>> entries() {
        return clients.entrySet();
    }

    void clear() {
        clients.clear();
    }
}
