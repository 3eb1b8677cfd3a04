package dev.kbackup.restore;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * Which partitions may hold an open segment at a time. An open segment costs a reader: its compressed and
 * uncompressed block buffers and the decoded records of its current block (about three blocks of heap), so a task
 * that opened one per partition would grow with its partition count. A partition is let in while the readers' bytes
 * leave room for one more reader (the largest seen so far) within the budget, or when no reader is open at all;
 * the others wait in line, first come first served, and are let in as readers leave between segments.
 * Not thread-safe: the prefetcher calls it under its lock.
 */
final class ReaderSlots<P> {

    private final long budgetBytes;
    private final long firstEstimate;
    private final int maxOpen;
    private final Map<P, Long> holders = new LinkedHashMap<>();
    private final LinkedHashSet<P> waiting = new LinkedHashSet<>();
    private long heldBytes;
    private long largestReader;

    /**
     * @param budgetBytes   what the open readers may hold together
     * @param firstEstimate what a reader is assumed to hold until one has reported its size
     * @param maxOpen       most readers open at once, whatever they hold
     */
    ReaderSlots(long budgetBytes, long firstEstimate, int maxOpen) {
        this.budgetBytes = budgetBytes;
        this.firstEstimate = firstEstimate;
        this.maxOpen = Math.max(1, maxOpen);
    }

    /**
     * True if one more reader of {@code perReader} bytes fits next to {@code open} readers holding {@code held}
     * (at most {@code maxOpen} of them); a first reader always fits, so that the restore moves on.
     */
    static boolean admits(int open, long held, long perReader, long budget, int maxOpen) {
        return open == 0 || (open < maxOpen && held + perReader <= budget);
    }

    /**
     * True if {@code partition} holds a slot, now or already; otherwise it is (or stays) in line and should ask
     * again later.
     */
    boolean tryEnter(P partition) {
        if (holders.containsKey(partition)) {
            return true;
        }
        waiting.add(partition);
        long perReader = perReader();
        if (waiting.iterator().next() != partition || !admits(holders.size(), heldBytes, perReader, budgetBytes, maxOpen)) {
            return false;
        }
        waiting.remove(partition);
        // counted at the estimate (a first reader: at most the budget) until it reports what it really holds
        long counted = Math.min(perReader, Math.max(0, budgetBytes - heldBytes));
        holders.put(partition, counted);
        heldBytes += counted;
        return true;
    }

    /** {@code partition}'s reader now holds {@code bytes}. */
    void holding(P partition, long bytes) {
        Long before = holders.get(partition);
        if (before == null) {
            return;
        }
        holders.put(partition, bytes);
        heldBytes += bytes - before;
        largestReader = Math.max(largestReader, bytes);
    }

    /** {@code partition} is between segments (or done): its reader's memory is free for the next in line. */
    void leave(P partition) {
        Long held = holders.remove(partition);
        if (held != null) {
            heldBytes -= held;
        }
        waiting.remove(partition);
    }

    boolean holds(P partition) {
        return holders.containsKey(partition);
    }

    boolean isWaiting(P partition) {
        return waiting.contains(partition);
    }

    int open() {
        return holders.size();
    }

    long heldBytes() {
        return heldBytes;
    }

    /** The partitions holding a slot, then as many of those next in line: the ones worth reading ahead for. */
    List<P> readingOrder() {
        List<P> order = new ArrayList<>(holders.keySet());
        int next = Math.max(1, holders.size());
        Iterator<P> line = waiting.iterator();
        for (int i = 0; i < next && line.hasNext(); i++) {
            order.add(line.next());
        }
        return order;
    }

    private long perReader() {
        return largestReader > 0 ? largestReader : firstEstimate;
    }
}
