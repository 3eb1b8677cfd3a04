package dev.kbackup.format;

/**
 * The fixed header in front of each block's compressed payload; see {@link SegmentFormat#BLOCK_HEADER_SIZE}.
 * {@code codec} is the segment's codec, or {@link Codec#NONE} for a block stored uncompressed because compressing
 * it did not pay.
 */
public record BlockHeader(Codec codec, int recordCount, int uncompressedLength, int compressedLength,
                          long firstOffset, long lastOffset, long minTimestamp, long maxTimestamp, int payloadCrc) {

    /** Bytes the block occupies in the segment, header included. */
    public long totalLength() {
        return SegmentFormat.BLOCK_HEADER_SIZE + (long) compressedLength;
    }
}
