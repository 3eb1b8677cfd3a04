package dev.kbackup.format;

/**
 * Constants of the segment byte layout, version 2 (version 1 had no {@code coversFrom} in the footer) and version 3,
 * version 2 with client-side encryption. {@code docs/segment-format.md} is the specification; every number here is
 * named there. All fixed-width integers are big-endian.
 */
public final class SegmentFormat {

    /** The version of unencrypted segments. */
    public static final int VERSION = 2;
    /** The version of encrypted segments: header flag 0x01, a key section after the header and in the footer. */
    public static final int ENCRYPTED_VERSION = 3;
    /** Header flag of an encrypted segment (version 3). */
    static final int FLAG_ENCRYPTED = 0x01;
    /** key record length(2) ... key section CRC32C(4), around the key record in the header. */
    static final int KEY_SECTION_OVERHEAD = 2 + 4;

    /** "KBSG": the first four bytes of every segment. */
    public static final int HEADER_MAGIC = 0x4B425347;
    /** magic(4) version(2) codec(1) flags(1) crc32c(4). */
    public static final int HEADER_SIZE = 12;

    public static final int BLOCK_MARKER = 0xB1;
    /**
     * marker(1) codec(1) recordCount(4) uncompressedLength(4) compressedLength(4) firstOffset(8) lastOffset(8)
     * minTimestamp(8) maxTimestamp(8) payloadCrc32c(4) headerCrc32c(4).
     */
    public static final int BLOCK_HEADER_SIZE = 54;

    public static final int FOOTER_MARKER = 0xF1;
    /** marker(1) then bodyLength(4). */
    public static final int FOOTER_PREFIX_SIZE = 5;
    /** position(8) length(4) recordCount(4) firstOffset(8) lastOffset(8) minTimestamp(8) maxTimestamp(8). */
    public static final int INDEX_ENTRY_SIZE = 48;

    /** "KBSE": the last four bytes of every complete segment. */
    public static final int TRAILER_MAGIC = 0x4B425345;
    /** footerPosition(8) footerLength(4) footerCrc32c(4) version(2) reserved(2) magic(4). */
    public static final int TRAILER_SIZE = 24;

    /** Smallest configurable target size of one uncompressed block, and so the smallest segment size limit. */
    public static final int MIN_BLOCK_BYTES = 4096;
    /** Largest uncompressed block; a reader refuses larger declared lengths before allocating anything. */
    public static final int MAX_BLOCK_BYTES = 256 * 1024 * 1024;
    /** Default target size of one uncompressed block: big enough for zstd to see the data's repetition. */
    public static final int DEFAULT_BLOCK_BYTES = 1024 * 1024;

    /**
     * Fewest bytes one encoded record takes: attributes, offset delta, timestamp delta, key, value and header count,
     * one byte each. A block of n uncompressed bytes holds at most n / MIN_RECORD_BYTES records.
     */
    static final int MIN_RECORD_BYTES = 6;

    /** Attribute bit 0 of a record: its timestamp is LogAppendTime. */
    static final int ATTRIBUTE_LOG_APPEND_TIME = 0x01;

    private SegmentFormat() {
    }

    static boolean isKnownVersion(int version) {
        return version == VERSION || version == ENCRYPTED_VERSION;
    }

    /** Position of the first block: the header, then in an encrypted segment its key section. */
    static long dataStart(SegmentKeyRecord keyRecord) {
        return keyRecord == null ? HEADER_SIZE : HEADER_SIZE + KEY_SECTION_OVERHEAD + keyRecord.encode().length;
    }

    /** Why a segment of format {@code found} (read from its {@code where}) cannot be read, and what to do. */
    static String unsupportedVersion(int found, String where) {
        return "segment format version " + found + " in the " + where + "; this reader reads versions " + VERSION
                + " and " + ENCRYPTED_VERSION + " only" + (found > ENCRYPTED_VERSION
                ? ": upgrade the connector to read segments written by a newer one"
                : ": the segment was written by an older, unreleased kbackup build; back the topic up again under a "
                + "new backup.id");
    }
}
