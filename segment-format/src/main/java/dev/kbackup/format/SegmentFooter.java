package dev.kbackup.format;

import java.util.List;
import java.util.Optional;

/**
 * The footer of a segment: what it holds and where each block starts. A reader that has the footer can start at
 * the first block that may hold a wanted offset or timestamp with one ranged read. {@code coversFrom} is the first
 * offset the writer was waiting for when it opened the segment: offsets from there to {@code firstOffset - 1}
 * do not exist in Kafka any more (compaction, transaction markers, retention), they are not lost.
 * {@code keyRecord} is null for an unencrypted segment (format version 2), else the id of the master key and the
 * wrapped data key (version 3).
 */
public record SegmentFooter(String topic, int partition, Codec codec, long recordCount, long firstOffset,
                            long lastOffset, long minTimestamp, long maxTimestamp, long uncompressedBytes,
                            long coversFrom, List<BlockIndexEntry> blocks, SegmentKeyRecord keyRecord) {

    public SegmentFooter {
        blocks = List.copyOf(blocks);
    }

    /** An unencrypted segment's footer. */
    public SegmentFooter(String topic, int partition, Codec codec, long recordCount, long firstOffset,
                         long lastOffset, long minTimestamp, long maxTimestamp, long uncompressedBytes,
                         long coversFrom, List<BlockIndexEntry> blocks) {
        this(topic, partition, codec, recordCount, firstOffset, lastOffset, minTimestamp, maxTimestamp,
                uncompressedBytes, coversFrom, blocks, null);
    }

    /** The id of the master key the segment's blocks are encrypted under, if they are. */
    public Optional<String> encryptionKeyId() {
        return keyRecord == null ? Optional.empty() : Optional.of(keyRecord.keyId());
    }

    /** Where the first block starts: after the header and, in an encrypted segment, the key section. */
    public long dataStart() {
        return SegmentFormat.dataStart(keyRecord);
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
