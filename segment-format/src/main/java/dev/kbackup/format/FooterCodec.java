package dev.kbackup.format;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/** Encodes and parses the footer and the trailer; both readers and the writer go through here. */
public final class FooterCodec {

    /** Largest footer a reader accepts: about 1.4 million blocks. */
    static final int MAX_FOOTER_BYTES = 64 * 1024 * 1024;
    private static final int FIXED_BODY_BYTES = 2 + 4 + 1 + 8 * 7 + 4;

    private FooterCodec() {
    }

    /** The footer bytes: marker, body length, body; an encrypted segment's (version 3) has the key section. */
    static byte[] encode(SegmentFooter footer) {
        byte[] topic = footer.topic().getBytes(StandardCharsets.UTF_8);
        byte[] keyRecord = footer.keyRecord() == null ? null : footer.keyRecord().encode();
        int bodyLength = FIXED_BODY_BYTES + topic.length + footer.blocks().size() * SegmentFormat.INDEX_ENTRY_SIZE
                + (keyRecord == null ? 0 : 2 + keyRecord.length);
        ByteBuffer buffer = ByteBuffer.allocate(SegmentFormat.FOOTER_PREFIX_SIZE + bodyLength);
        buffer.put((byte) SegmentFormat.FOOTER_MARKER).putInt(bodyLength)
                .putShort((short) topic.length).put(topic)
                .putInt(footer.partition())
                .put((byte) footer.codec().id())
                .putLong(footer.recordCount())
                .putLong(footer.firstOffset())
                .putLong(footer.lastOffset())
                .putLong(footer.minTimestamp())
                .putLong(footer.maxTimestamp())
                .putLong(footer.uncompressedBytes())
                .putLong(footer.coversFrom());
        if (keyRecord != null) {
            buffer.putShort((short) keyRecord.length).put(keyRecord);
        }
        buffer.putInt(footer.blocks().size());
        for (BlockIndexEntry entry : footer.blocks()) {
            buffer.putLong(entry.position()).putInt(entry.length()).putInt(entry.recordCount())
                    .putLong(entry.firstOffset()).putLong(entry.lastOffset())
                    .putLong(entry.minTimestamp()).putLong(entry.maxTimestamp());
        }
        return buffer.array();
    }

    static byte[] encodeTrailer(long footerPosition, byte[] footer, int version) {
        return ByteBuffer.allocate(SegmentFormat.TRAILER_SIZE)
                .putLong(footerPosition)
                .putInt(footer.length)
                .putInt(crc(footer, 0, footer.length))
                .putShort((short) version)
                .putShort((short) 0)
                .putInt(SegmentFormat.TRAILER_MAGIC)
                .array();
    }

    /** Where the footer is and how to check it, as read from the trailer; version 3 is an encrypted segment. */
    public record Trailer(long footerPosition, int footerLength, int footerCrc, int version) {
    }

    /**
     * Parses and checks the trailer found at {@code trailerPosition}; {@code objectSize} is the whole segment's
     * size when known (-1 when not).
     */
    public static Trailer parseTrailer(String name, byte[] bytes, int offset, long trailerPosition) {
        ByteBuffer buffer = ByteBuffer.wrap(bytes, offset, SegmentFormat.TRAILER_SIZE);
        long footerPosition = buffer.getLong();
        int footerLength = buffer.getInt();
        int footerCrc = buffer.getInt();
        int version = Short.toUnsignedInt(buffer.getShort());
        int reserved = Short.toUnsignedInt(buffer.getShort());
        int magic = buffer.getInt();
        if (magic != SegmentFormat.TRAILER_MAGIC) {
            throw new CorruptSegmentException(name, -1, trailerPosition + SegmentFormat.TRAILER_SIZE - 4,
                    String.format("trailer magic is 0x%08x, expected 0x%08x: the object is truncated or not a segment",
                            magic, SegmentFormat.TRAILER_MAGIC));
        }
        if (!SegmentFormat.isKnownVersion(version)) {
            throw new CorruptSegmentException(name, -1, trailerPosition + 16,
                    SegmentFormat.unsupportedVersion(version, "trailer"));
        }
        if (reserved != 0) {
            throw new CorruptSegmentException(name, -1, trailerPosition + 18,
                    "reserved trailer bytes are 0x" + Integer.toHexString(reserved) + ", expected 0");
        }
        if (footerLength < SegmentFormat.FOOTER_PREFIX_SIZE + FIXED_BODY_BYTES || footerLength > MAX_FOOTER_BYTES
                || footerPosition < SegmentFormat.HEADER_SIZE || footerPosition + footerLength != trailerPosition) {
            throw new CorruptSegmentException(name, -1, trailerPosition,
                    "trailer points to a footer of " + footerLength + " bytes at byte " + footerPosition
                            + ", which does not end where the trailer starts");
        }
        return new Trailer(footerPosition, footerLength, footerCrc, version);
    }

    /** Parses the footer bytes (marker included) the trailer points to, checking them against its CRC. */
    public static SegmentFooter parse(String name, byte[] bytes, int offset, Trailer trailer) {
        return parse(name, bytes, offset, trailer.footerLength(), trailer.footerPosition(), trailer.footerCrc(),
                trailer.version());
    }

    /** Parses an unencrypted (version 2) segment's footer bytes after checking them against the trailer's CRC. */
    public static SegmentFooter parse(String name, byte[] bytes, int offset, int length, long position, int expectedCrc) {
        return parse(name, bytes, offset, length, position, expectedCrc, SegmentFormat.VERSION);
    }

    private static SegmentFooter parse(String name, byte[] bytes, int offset, int length, long position,
                                       int expectedCrc, int version) {
        if (crc(bytes, offset, length) != expectedCrc) {
            throw new CorruptSegmentException(name, -1, position, "footer checksum mismatch");
        }
        try {
            ByteBuffer buffer = ByteBuffer.wrap(bytes, offset, length);
            int marker = Byte.toUnsignedInt(buffer.get());
            if (marker != SegmentFormat.FOOTER_MARKER) {
                throw new CorruptSegmentException(name, -1, position,
                        String.format("footer marker is 0x%02x, expected 0x%02x", marker, SegmentFormat.FOOTER_MARKER));
            }
            int bodyLength = buffer.getInt();
            if (bodyLength != length - SegmentFormat.FOOTER_PREFIX_SIZE) {
                throw new CorruptSegmentException(name, -1, position + 1,
                        "footer body length " + bodyLength + " disagrees with the trailer");
            }
            byte[] topic = new byte[Short.toUnsignedInt(buffer.getShort())];
            buffer.get(topic);
            int partition = buffer.getInt();
            Codec codec = codecFrom(name, buffer.get(), position);
            long recordCount = buffer.getLong();
            long firstOffset = buffer.getLong();
            long lastOffset = buffer.getLong();
            long minTimestamp = buffer.getLong();
            long maxTimestamp = buffer.getLong();
            long uncompressedBytes = buffer.getLong();
            long coversFrom = buffer.getLong();
            SegmentKeyRecord keyRecord = null;
            if (version == SegmentFormat.ENCRYPTED_VERSION) {
                byte[] record = new byte[Short.toUnsignedInt(buffer.getShort())];
                buffer.get(record);
                keyRecord = SegmentKeyRecord.parse(name, record, position);
            }
            int blockCount = buffer.getInt();
            if (blockCount < 0 || (long) blockCount * SegmentFormat.INDEX_ENTRY_SIZE != buffer.remaining()) {
                throw new CorruptSegmentException(name, -1, position,
                        "footer declares " + blockCount + " blocks but holds " + buffer.remaining() + " index bytes");
            }
            List<BlockIndexEntry> blocks = new ArrayList<>(blockCount);
            for (int i = 0; i < blockCount; i++) {
                blocks.add(new BlockIndexEntry(buffer.getLong(), buffer.getInt(), buffer.getInt(), buffer.getLong(),
                        buffer.getLong(), buffer.getLong(), buffer.getLong()));
            }
            SegmentFooter footer = new SegmentFooter(decodeTopic(name, topic, position), partition, codec, recordCount,
                    firstOffset, lastOffset, minTimestamp, maxTimestamp, uncompressedBytes, coversFrom, blocks,
                    keyRecord);
            checkConsistent(name, footer, position);
            return footer;
        } catch (BufferUnderflowException e) {
            throw new CorruptSegmentException(name, -1, position, "footer is shorter than its fields", e);
        }
    }

    static Codec codecFrom(String name, byte id, long position) {
        try {
            return Codec.fromId(Byte.toUnsignedInt(id));
        } catch (IllegalArgumentException e) {
            throw new CorruptSegmentException(name, -1, position, "unknown codec id " + Byte.toUnsignedInt(id));
        }
    }

    static int crc(byte[] bytes, int offset, int length) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, offset, length);
        return (int) crc.getValue();
    }

    private static String decodeTopic(String name, byte[] topic, long position) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(topic)).toString();
        } catch (CharacterCodingException e) {
            throw new CorruptSegmentException(name, -1, position, "footer topic is not valid UTF-8", e);
        }
    }

    /** The index must describe contiguous, ordered blocks whose totals match the footer's. */
    private static void checkConsistent(String name, SegmentFooter footer, long footerPosition) {
        long expectedPosition = footer.dataStart();
        long records = 0;
        long previousLast = -1;
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        for (int i = 0; i < footer.blocks().size(); i++) {
            BlockIndexEntry block = footer.blocks().get(i);
            boolean valid = block.position() == expectedPosition
                    && block.length() > SegmentFormat.BLOCK_HEADER_SIZE
                    && block.recordCount() > 0
                    && block.firstOffset() > previousLast
                    && block.lastOffset() >= block.firstOffset()
                    && block.minTimestamp() <= block.maxTimestamp();
            if (!valid) {
                throw new CorruptSegmentException(name, i, footerPosition, "footer index entry " + i + " is invalid: "
                        + block);
            }
            expectedPosition += block.length();
            records += block.recordCount();
            previousLast = block.lastOffset();
            min = Math.min(min, block.minTimestamp());
            max = Math.max(max, block.maxTimestamp());
        }
        boolean totalsMatch = expectedPosition == footerPosition
                && records == footer.recordCount()
                && (footer.blocks().isEmpty() || (footer.firstOffset() == footer.blocks().get(0).firstOffset()
                && footer.lastOffset() == previousLast && footer.minTimestamp() == min
                && footer.maxTimestamp() == max));
        if (!totalsMatch) {
            throw new CorruptSegmentException(name, -1, footerPosition,
                    "footer totals disagree with its block index");
        }
        if (footer.coversFrom() < 0 || footer.coversFrom() > footer.firstOffset()) {
            throw new CorruptSegmentException(name, -1, footerPosition, "footer says the segment covers offsets from "
                    + footer.coversFrom() + ", which is not between 0 and its first offset " + footer.firstOffset());
        }
    }
}
