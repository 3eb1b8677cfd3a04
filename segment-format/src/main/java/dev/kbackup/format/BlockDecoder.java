package dev.kbackup.format;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Decodes the uncompressed body of one block and checks it against the block header: every length within
 * bounds, offsets strictly increasing from the first to the last offset, the record count and the timestamp
 * range exact, and no byte left over.
 */
final class BlockDecoder {

    private static final int RECENT_KEYS = 8;

    private final String segment;
    private final int block;
    private final long position;
    private final byte[] bytes;
    private final int limit;
    private final CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    private int cursor;
    // records of a block mostly repeat the header keys of the one before: where each of the first keys was read,
    // so that the same bytes give the same String instead of a new one
    private final String[] recentKeys = new String[RECENT_KEYS];
    private final int[] recentKeyAt = new int[RECENT_KEYS];
    private final int[] recentKeyLength = new int[RECENT_KEYS];

    private BlockDecoder(String segment, int block, long position, byte[] bytes, int limit) {
        this.segment = segment;
        this.block = block;
        this.position = position;
        this.bytes = bytes;
        this.limit = limit;
    }

    /** Decodes {@code bytes[0, header.uncompressedLength())}; {@code position} is the block's byte position. */
    static List<BackupRecord> decode(String segment, int block, long position, BlockHeader header, byte[] bytes) {
        return new BlockDecoder(segment, block, position, bytes, header.uncompressedLength()).decodeAll(header);
    }

    private List<BackupRecord> decodeAll(BlockHeader header) {
        List<BackupRecord> records = new ArrayList<>(header.recordCount());
        long offset = header.firstOffset();
        long timestamp = 0;
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        for (int i = 0; i < header.recordCount(); i++) {
            int attributes = Byte.toUnsignedInt(readByte());
            if ((attributes & ~SegmentFormat.ATTRIBUTE_LOG_APPEND_TIME) != 0) {
                throw corrupt("record " + i + " has unknown attribute bits 0x" + Integer.toHexString(attributes));
            }
            long offsetDelta = readUnsigned();
            if (i == 0 ? offsetDelta != 0 : offsetDelta <= 0) {
                throw corrupt("record " + i + " has offset delta " + offsetDelta);
            }
            offset += offsetDelta;
            timestamp += Varints.unZigZag(readUnsigned());
            byte[] key = readNullableBytes();
            byte[] value = readNullableBytes();
            int headerCount = readLength();
            List<BackupHeader> headers = headerCount == 0 ? List.of() : new ArrayList<>(Math.min(headerCount, 64));
            for (int h = 0; h < headerCount; h++) {
                int keyLength = readLength();
                String headerKey = h < RECENT_KEYS ? readKey(h, keyLength) : readUtf8(keyLength);
                headers.add(new BackupHeader(headerKey, readNullableBytes()));
            }
            min = Math.min(min, timestamp);
            max = Math.max(max, timestamp);
            TimestampKind kind = (attributes & SegmentFormat.ATTRIBUTE_LOG_APPEND_TIME) != 0
                    ? TimestampKind.LOG_APPEND_TIME : TimestampKind.CREATE_TIME;
            records.add(new BackupRecord(offset, timestamp, kind, key, value, headers));
        }
        if (cursor != limit) {
            throw corrupt((limit - cursor) + " bytes left after the last record");
        }
        if (offset != header.lastOffset() || min != header.minTimestamp() || max != header.maxTimestamp()) {
            throw corrupt("records disagree with the block header (last offset " + offset + " vs "
                    + header.lastOffset() + ", timestamps [" + min + ", " + max + "] vs [" + header.minTimestamp()
                    + ", " + header.maxTimestamp() + "])");
        }
        return records;
    }

    private byte readByte() {
        if (cursor >= limit) {
            throw corrupt("record data ends early");
        }
        return bytes[cursor++];
    }

    private long readUnsigned() {
        long value = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            byte b = readByte();
            value |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return value;
            }
        }
        throw corrupt("varint longer than " + Varints.MAX_VARLONG_BYTES + " bytes");
    }

    private int readLength() {
        long length = readUnsigned();
        if (length < 0 || length > limit - cursor) {
            throw corrupt("length " + length + " exceeds the " + (limit - cursor) + " bytes left in the block");
        }
        return (int) length;
    }

    private byte[] readNullableBytes() {
        long encoded = readUnsigned();
        if (encoded == 0) {
            return null;
        }
        long length = encoded - 1;
        if (length < 0 || length > limit - cursor) {
            throw corrupt("length " + length + " exceeds the " + (limit - cursor) + " bytes left in the block");
        }
        byte[] result = Arrays.copyOfRange(bytes, cursor, cursor + (int) length);
        cursor += (int) length;
        return result;
    }

    /** The key of header {@code index}: the String of the previous record's if its bytes are the same. */
    private String readKey(int index, int length) {
        String recent = recentKeys[index];
        int at = recentKeyAt[index];
        if (recent != null && recentKeyLength[index] == length
                && Arrays.equals(bytes, at, at + length, bytes, cursor, cursor + length)) {
            cursor += length;
            return recent;
        }
        int start = cursor;
        String key = readUtf8(length);
        recentKeys[index] = key;
        recentKeyAt[index] = start;
        recentKeyLength[index] = length;
        return key;
    }

    private String readUtf8(int length) {
        if (isAscii(cursor, length)) {
            // header keys are almost always ASCII, which is valid UTF-8 byte for byte: skip the strict decoder
            String result = new String(bytes, cursor, length, StandardCharsets.ISO_8859_1);
            cursor += length;
            return result;
        }
        try {
            String result = utf8.decode(ByteBuffer.wrap(bytes, cursor, length)).toString();
            cursor += length;
            return result;
        } catch (CharacterCodingException e) {
            throw corrupt("header key is not valid UTF-8");
        }
    }

    private boolean isAscii(int from, int length) {
        for (int i = from; i < from + length; i++) {
            if (bytes[i] < 0) {
                return false;
            }
        }
        return true;
    }

    private CorruptSegmentException corrupt(String problem) {
        return new CorruptSegmentException(segment, block, position,
                problem + " (at byte " + cursor + " of the uncompressed block)");
    }
}
