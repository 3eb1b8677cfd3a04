package dev.kbackup.cli;

/**
 * One thing {@code verify} found wrong, named by object key, topic-partition, offsets and (when the damage is inside
 * a block) block index and byte position; -1 where a field does not apply. {@code keyId} names the master key an
 * encrypted segment needs, for {@link Kind#KEY_NEEDED} only.
 */
record VerifyProblem(Kind kind, String key, String topic, int partition, long firstOffset, long lastOffset, int block,
                     long position, String message, String keyId) {

    VerifyProblem(Kind kind, String key, String topic, int partition, long firstOffset, long lastOffset, int block,
                  long position, String message) {
        this(kind, key, topic, partition, firstOffset, lastOffset, block, position, message, null);
    }

    enum Kind {
        /** The catalog lists a segment that storage does not hold. */
        MISSING_SEGMENT,
        /** The stored object's size is not the size the catalog records (truncated, replaced, appended to). */
        SIZE_MISMATCH,
        /** A checksum, marker or length inside the segment is wrong. */
        CORRUPT_SEGMENT,
        /** The segment reads cleanly but is not the segment the catalog describes (checksum, offsets, counts). */
        CATALOG_MISMATCH,
        /** Offsets between two segments that no segment holds and that the backup did not record as a gap. */
        OFFSET_GAP,
        /** A complete segment in storage that the catalog leaves out, where a restore would not find it. */
        NOT_IN_CATALOG,
        /** An encrypted segment whose master key ({@code keyId}) is not configured or is not the key of that id. */
        KEY_NEEDED,
        /** The catalog could not be read. */
        UNREADABLE_CATALOG
    }

    String describe() {
        return kind + " " + (key == null ? "" : key + " ") + "(" + topic + "-" + partition
                + (firstOffset >= 0 ? ", offsets " + firstOffset + ".." + lastOffset : "")
                + (block >= 0 ? ", block " + block : "") + (position >= 0 ? ", byte " + position : "") + "): "
                + message;
    }
}
