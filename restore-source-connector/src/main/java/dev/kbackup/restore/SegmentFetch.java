package dev.kbackup.restore;

import dev.kbackup.format.BlockIndexEntry;
import dev.kbackup.format.SegmentFooter;
import dev.kbackup.format.SegmentInfo;
import dev.kbackup.format.TimeWindow;

import java.util.Map;
import java.util.TreeMap;

/**
 * The read state of one segment in the read-ahead: its footer, the byte range worth reading, the chunks fetched and
 * not yet read. Not thread-safe: the background threads and the task share it under {@link SegmentPrefetcher}'s
 * lock.
 */
final class SegmentFetch {
    final SegmentInfo segment;
    final long minOffset;
    final TimeWindow window;
    SegmentFooter footer;
    boolean resolving;
    RuntimeException failure;
    int firstBlock = -1;
    int lastBlock = -1;
    long end;
    long nextFetch;
    long readPosition;
    final TreeMap<Long, byte[]> chunks = new TreeMap<>();
    long heldBytes;
    boolean released;

    SegmentFetch(SegmentInfo segment, long minOffset, TimeWindow window) {
        this.segment = segment;
        this.minOffset = minOffset;
        this.window = window;
    }

    boolean wantsFooter() {
        return footer == null && !resolving && failure == null && !released;
    }

    boolean wantsChunk() {
        return footer != null && failure == null && !released && nextFetch < end;
    }

    boolean hasDataAt(long position) {
        Map.Entry<Long, byte[]> first = chunks.firstEntry();
        return first != null && first.getKey() <= position;
    }

    /** Takes the footer read from storage and the byte range of the blocks that can hold wanted records. */
    void footerRead(SegmentFooter footer) {
        this.footer = footer;
        firstBlock = footer.firstCandidateBlock(minOffset, window);
        if (firstBlock >= 0) {
            lastBlock = footer.lastCandidateBlock(minOffset, window);
            nextFetch = footer.blocks().get(firstBlock).position();
            readPosition = nextFetch;
            BlockIndexEntry last = footer.blocks().get(lastBlock);
            end = last.position() + last.length();
        }
    }
}
