package dev.kbackup.format;

import com.fasterxml.jackson.annotation.JsonIgnore;

/**
 * What the manifest records about one complete segment object. {@code sizeBytes} is the object's size;
 * {@code crc32c} is the CRC32C of all its bytes, so a whole-object read can be checked end to end.
 * {@code coversFrom} comes from the footer: offsets from it up to {@code firstOffset - 1} are a recorded, real gap
 * (see {@link SegmentFooter}).
 */
public record SegmentInfo(String key, String topic, int partition, Codec codec, long firstOffset, long lastOffset,
                          long recordCount, long minTimestamp, long maxTimestamp, long sizeBytes,
                          long uncompressedBytes, long crc32c, int blockCount, long coversFrom) {

    /** Uncompressed record bytes per stored byte. */
    @JsonIgnore
    public double compressionRatio() {
        return sizeBytes == 0 ? 0 : (double) uncompressedBytes / sizeBytes;
    }
}
