package dev.kbackup.format;

import dev.kbackup.memory.HeapCost;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Encodes records, in offset order, into the body of one block. {@link #seal()} hands the bytes over and starts
 * the next block. The buffer is allocated on the first record and grows as needed, so an idle encoder costs
 * nothing; after a block that reached the target, the next one starts at full size, since a busy partition fills
 * it again and growing would copy most of a block on the way. Not thread-safe.
 */
public final class BlockEncoder {

    private static final int INITIAL_CAPACITY = 16 * 1024;
    /** Room past the target for the record that completes a block, so that it does not double the buffer. */
    private static final int TARGET_SLACK = 64 * 1024;

    private final int blockTargetBytes;

    private byte[] buffer;
    private int size;
    private int recordCount;
    private long firstOffset;
    private long lastOffset;
    private long minTimestamp;
    private long maxTimestamp;
    private long previousTimestamp;
    private boolean lastBlockFull;

    /** An encoder whose blocks have no particular target size. */
    public BlockEncoder() {
        this(SegmentFormat.MAX_BLOCK_BYTES);
    }

    /** An encoder whose blocks are sealed once they reach {@code blockTargetBytes}: its buffer grows to fit that. */
    public BlockEncoder(int blockTargetBytes) {
        this.blockTargetBytes = blockTargetBytes;
    }

    /**
     * Appends one record; its offset must be above the previous record's.
     *
     * @throws IllegalArgumentException if the offset does not increase, or the block would exceed
     *                                  {@link SegmentFormat#MAX_BLOCK_BYTES}
     */
    public void append(BackupRecord record) {
        if (recordCount > 0 && record.offset() <= lastOffset) {
            throw new IllegalArgumentException("Record offset " + record.offset()
                    + " is not above the previous offset " + lastOffset + " in the block");
        }
        if (record.offset() < 0) {
            throw new IllegalArgumentException("Record offset " + record.offset() + " is negative");
        }
        long needed = encodedSizeUpperBound(record);
        if (size + needed > SegmentFormat.MAX_BLOCK_BYTES) {
            throw new IllegalArgumentException("Record at offset " + record.offset() + " needs " + needed
                    + " bytes, which would take the block past the format limit of " + SegmentFormat.MAX_BLOCK_BYTES
                    + " bytes" + (recordCount > 0 ? "; seal the block first" : ""));
        }
        ensureCapacity((int) (size + needed));
        if (recordCount == 0) {
            firstOffset = record.offset();
            minTimestamp = record.timestamp();
            maxTimestamp = record.timestamp();
            previousTimestamp = 0;
            lastOffset = record.offset();
        }
        buffer[size++] = (byte) (record.timestampKind() == TimestampKind.LOG_APPEND_TIME
                ? SegmentFormat.ATTRIBUTE_LOG_APPEND_TIME : 0);
        writeUnsigned(record.offset() - lastOffset);
        writeUnsigned(Varints.zigZag(record.timestamp() - previousTimestamp));
        writeNullableBytes(record.key());
        writeNullableBytes(record.value());
        writeUnsigned(record.headers().size());
        for (BackupHeader header : record.headers()) {
            byte[] headerKey = header.key().getBytes(StandardCharsets.UTF_8);
            writeUnsigned(headerKey.length);
            writeBytes(headerKey);
            writeNullableBytes(header.value());
        }
        recordCount++;
        lastOffset = record.offset();
        previousTimestamp = record.timestamp();
        minTimestamp = Math.min(minTimestamp, record.timestamp());
        maxTimestamp = Math.max(maxTimestamp, record.timestamp());
    }

    /** Encoded bytes so far. */
    public int sizeInBytes() {
        return size;
    }

    /** Heap bytes held, including unused capacity, as the heap counts them ({@link HeapCost}). */
    public long retainedBytes() {
        return buffer == null ? 0 : HeapCost.ofArray(buffer.length);
    }

    public int recordCount() {
        return recordCount;
    }

    public boolean isEmpty() {
        return recordCount == 0;
    }

    /** Offset of the last appended record; meaningful only when not empty. */
    public long lastOffset() {
        return lastOffset;
    }

    /** Hands over the encoded block and resets this encoder, releasing its buffer. */
    public RawBlock seal() {
        if (recordCount == 0) {
            throw new IllegalStateException("Cannot seal an empty block");
        }
        lastBlockFull = size >= blockTargetBytes;
        RawBlock block = new RawBlock(buffer, size, recordCount, firstOffset, lastOffset, minTimestamp, maxTimestamp);
        buffer = null;
        size = 0;
        recordCount = 0;
        return block;
    }

    /**
     * Hands back the buffer of a sealed block (this encoder's or another's) once nothing reads that block any more,
     * so that the next block is encoded into it instead of a newly allocated buffer. Ignored if this encoder
     * already has a buffer.
     */
    public void recycle(byte[] sealedBuffer) {
        if (buffer == null && recordCount == 0) {
            buffer = sealedBuffer;
        }
    }

    /**
     * Whether the next record starts a block at full size ({@link #fullBufferBytes}): the last block reached the
     * target and no buffer is held yet. A caller with a spare full-size buffer can {@link #recycle} it now.
     */
    public boolean startsFullBlock() {
        return buffer == null && recordCount == 0 && lastBlockFull;
    }

    /** The buffer size of a block that reaches {@code blockTargetBytes}: the target and room for its last record. */
    public static int fullBufferBytes(int blockTargetBytes) {
        return (int) Math.min((long) blockTargetBytes + TARGET_SLACK, SegmentFormat.MAX_BLOCK_BYTES);
    }

    /** Drops everything appended since the last seal. */
    public void clear() {
        buffer = null;
        size = 0;
        recordCount = 0;
        lastBlockFull = false;
    }

    private static long encodedSizeUpperBound(BackupRecord record) {
        long bytes = 1 + 2L * Varints.MAX_VARLONG_BYTES + 5;
        bytes += 5 + (record.key() == null ? 0 : record.key().length);
        bytes += 5 + (record.value() == null ? 0 : record.value().length);
        for (BackupHeader header : record.headers()) {
            // A UTF-8 encoding needs at most 3 bytes per UTF-16 char.
            bytes += 10 + 3L * header.key().length() + (header.value() == null ? 0 : header.value().length);
        }
        return bytes;
    }

    private void ensureCapacity(int needed) {
        if (buffer == null) {
            buffer = new byte[Math.max(lastBlockFull ? fullBufferBytes(blockTargetBytes) : INITIAL_CAPACITY, needed)];
        } else if (buffer.length < needed) {
            long grown = Math.max(needed, (long) buffer.length * 2);
            if (grown >= blockTargetBytes) {
                grown = Math.max(needed, fullBufferBytes(blockTargetBytes));
            }
            buffer = Arrays.copyOf(buffer, (int) Math.min(grown, SegmentFormat.MAX_BLOCK_BYTES));
        }
    }

    private void writeNullableBytes(byte[] bytes) {
        if (bytes == null) {
            buffer[size++] = 0;
        } else {
            writeUnsigned(bytes.length + 1L);
            writeBytes(bytes);
        }
    }

    private void writeBytes(byte[] bytes) {
        System.arraycopy(bytes, 0, buffer, size, bytes.length);
        size += bytes.length;
    }

    private void writeUnsigned(long value) {
        while ((value & ~0x7FL) != 0) {
            buffer[size++] = (byte) ((value & 0x7F) | 0x80);
            value >>>= 7;
        }
        buffer[size++] = (byte) value;
    }
}
