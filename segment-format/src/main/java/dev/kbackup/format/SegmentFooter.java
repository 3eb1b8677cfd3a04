package dev.kbackup.format;

import java.util.List;

/**
 * The footer of a segment: what it holds and where each block starts. A reader that has the footer can start at
 * the first block that may hold a wanted offset or timestamp with one ranged read. {@code coversFrom} is the first
 * offset the writer was waiting for when it opened the segment: offsets from there to {@code firstOffset - 1}
 * do not exist in Kafka any more (compaction, transaction markers, retention), they are not lost.
 */
public record SegmentFooter(String topic, int partition, Codec codec, long recordCount, long firstOffset,
                            long lastOffset, long minTimestamp, long maxTimestamp, long uncompressedBytes,
                            long coversFrom, List<BlockIndexEntry> blocks) {

    public SegmentFooter {
        blocks = List.copyOf(blocks);
    }

    /**
     * Index of the first block that can hold a record with an offset of at least {@code minOffset} inside
     * {@code window}, or -1 if none can. Later blocks may still be outside the window: timestamps are not
     * monotonic, so callers check each block's own range as they go.
     */
    public int firstCandidateBlock(long minOffset, TimeWindow window) {
        for (int i = 0; i < blocks.size(); i++) {
            if (isCandidate(blocks.get(i), minOffset, window)) {
                return i;
            }
        }
        return -1;
    }

    /** Index of the last block that can hold a record at or above {@code minOffset} inside {@code window}, or -1. */
    public int lastCandidateBlock(long minOffset, TimeWindow window) {
        for (int i = blocks.size() - 1; i >= 0; i--) {
            if (isCandidate(blocks.get(i), minOffset, window)) {
                return i;
            }
        }
        return -1;
    }

    private static boolean isCandidate(BlockIndexEntry block, long minOffset, TimeWindow window) {
        return block.lastOffset() >= minOffset && window.overlaps(block.minTimestamp(), block.maxTimestamp());
    }
}
