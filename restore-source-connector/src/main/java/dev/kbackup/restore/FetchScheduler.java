package dev.kbackup.restore;

import java.util.List;

/**
 * Decides what a background thread of the read-ahead fetches next, from the state it is shown: what the task waits
 * for comes first, then footers of the partitions holding an open segment and those next in line, then a chunk for
 * the partition with the least read ahead, as long as the read-ahead byte budget keeps room for one chunk per open
 * segment. Holds nothing but its round-robin position; called under {@link SegmentPrefetcher}'s lock.
 */
final class FetchScheduler {

    static final int MIN_CHUNK_BYTES = 64 * 1024;
    static final int MAX_CHUNK_BYTES = 8 * 1024 * 1024;

    /** The segments of one partition worth fetching for, in the order the task reads them (null past the last). */
    interface Queue {
        SegmentFetch fetch(int i);
    }

    /** What a background thread does next: read a footer, or read bytes [start, start + length) of a segment. */
    record Work(SegmentFetch fetch, long start, int length) {

        static Work footerOf(SegmentFetch fetch) {
            return new Work(fetch, 0, -1);
        }

        static Work chunkOf(SegmentFetch fetch, long chunkTarget) {
            return new Work(fetch, fetch.nextFetch, (int) Math.min(chunkTarget, fetch.end - fetch.nextFetch));
        }

        boolean isFooter() {
            return length < 0;
        }
    }

    private final long readAheadBytes;
    private final int footerLookahead;
    private int nextLane;

    FetchScheduler(long readAheadBytes, int footerLookahead) {
        this.readAheadBytes = readAheadBytes;
        this.footerLookahead = footerLookahead;
    }

    /**
     * The most useful next piece of work, or null.
     *
     * @param demanded      the segment the task waits for now, or null
     * @param order         the partitions holding an open segment and those next in line, in reading order
     * @param bufferedBytes read-ahead bytes fetched (or being fetched) and not yet read
     * @param openSegments  partitions holding an open segment
     */
    Work next(SegmentFetch demanded, List<? extends Queue> order, long bufferedBytes, int openSegments) {
        long chunkTarget = chunkBytes(order.size());
        if (demanded != null) {
            if (demanded.wantsFooter()) {
                return Work.footerOf(demanded);
            }
            if (demanded.wantsChunk() && demanded.nextFetch == demanded.readPosition) {
                return Work.chunkOf(demanded, chunkTarget);
            }
        }
        // room is left for one chunk per open segment, which the task may demand when it runs out of data
        boolean room = bufferedBytes + chunkTarget * (1L + openSegments) <= readAheadBytes;
        if (!room) {
            return null;
        }
        for (Queue lane : order) {
            for (int i = 0; i < footerLookahead; i++) {
                SegmentFetch fetch = lane.fetch(i);
                if (fetch != null && fetch.wantsFooter()) {
                    return Work.footerOf(fetch);
                }
            }
        }
        SegmentFetch best = null;
        long bestHeld = Long.MAX_VALUE;
        for (int n = 0; n < order.size(); n++) {
            Queue lane = order.get((nextLane + n) % order.size());
            long held = 0;
            SegmentFetch candidate = null;
            SegmentFetch fetch;
            for (int i = 0; (fetch = lane.fetch(i)) != null; i++) {
                held += fetch.heldBytes;
                if (fetch.footer == null && fetch.failure == null) {
                    break;
                }
                if (fetch.wantsChunk()) {
                    candidate = fetch;
                    break;
                }
            }
            if (candidate != null && held < bestHeld) {
                best = candidate;
                bestHeld = held;
            }
        }
        if (best == null) {
            return null;
        }
        nextLane = (nextLane + 1) % Math.max(1, order.size());
        return Work.chunkOf(best, chunkTarget);
    }

    /** Half the read-ahead shared by the partitions being read or next in line, within 64 KiB..8 MiB. */
    long chunkBytes(int reading) {
        return Math.max(MIN_CHUNK_BYTES, Math.min(MAX_CHUNK_BYTES, readAheadBytes / (2L * Math.max(1, reading))));
    }
}
