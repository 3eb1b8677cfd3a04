package dev.kbackup.restore;

/**
 * The bytes the read-ahead holds: fetched-but-unread chunks and footers, each counted both per segment
 * ({@link SegmentFetch#heldBytes}) and in total, changed only here so the two never disagree. Also remembers the
 * most the prefetcher has held, its readers' open segments ({@link ReaderSlots}) included. Not thread-safe: used
 * under {@link SegmentPrefetcher}'s lock.
 */
final class ReadAheadBudget {

    private final ReaderSlots<?> slots;
    private long bufferedBytes;
    private long peakHeldBytes;

    ReadAheadBudget(ReaderSlots<?> slots) {
        this.slots = slots;
    }

    /** Bytes fetched (or being fetched) and not yet read by the task, footers included. */
    long bufferedBytes() {
        return bufferedBytes;
    }

    /** The read-ahead and the open segments' readers together. */
    long heldBytes() {
        return bufferedBytes + slots.heldBytes();
    }

    long peakHeldBytes() {
        return peakHeldBytes;
    }

    /** {@code fetch} now holds {@code bytes} more (a chunk reserved, a footer read). */
    void hold(SegmentFetch fetch, long bytes) {
        fetch.heldBytes += bytes;
        bufferedBytes += bytes;
        notePeak();
    }

    /** {@code fetch} gave back {@code bytes} (a chunk read by the task, or a fetch that failed). */
    void free(SegmentFetch fetch, long bytes) {
        fetch.heldBytes -= bytes;
        bufferedBytes -= bytes;
    }

    /** {@code fetch} gives back all it holds. */
    void freeAll(SegmentFetch fetch) {
        free(fetch, fetch.heldBytes);
    }

    /** Remembers the highest total held; called after anything held grows, the readers' share included. */
    void notePeak() {
        peakHeldBytes = Math.max(peakHeldBytes, heldBytes());
    }
}
