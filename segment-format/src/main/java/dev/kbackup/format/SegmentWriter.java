package dev.kbackup.format;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.zip.CRC32C;

/**
 * Writes one segment to a stream as records arrive: header, then each block as soon as it is full, then the
 * footer and trailer on {@link #finish()}. Memory is one block plus the block index, whatever the segment size.
 *
 * <p>Records go in either through {@link #append} (blocks are cut at the target size) or as blocks encoded
 * elsewhere through {@link #writeBlock}, which lets one thread encode while another compresses and uploads.
 * Not thread-safe. The writer never closes the stream.
 *
 * <p>With {@link EncryptionKeys} that encrypt, the segment gets a fresh data key, stored wrapped after the header
 * and in the footer, and every block's compressed payload is sealed with AES-256-GCM (format version 3).
 *
 * <p>Blocks that compression does not shrink enough are stored uncompressed, with codec none in their header, and
 * after a run of them the writer stops trying for a while ({@link CompressionBackoff}).
 */
public final class SegmentWriter {

    private final String name;
    private final String topic;
    private final int partition;
    private final BlockCompressor compressor;
    private final OutputStream out;
    private final int blockTargetBytes;
    private final BlockEncoder encoder;
    private final CRC32C objectCrc = new CRC32C();
    private final List<BlockIndexEntry> index = new ArrayList<>();
    private final ByteBuffer blockHeader = ByteBuffer.allocate(SegmentFormat.BLOCK_HEADER_SIZE);
    private final long coversFrom;
    private final BlockCipher cipher; // null: unencrypted, format version 2
    private final CompressionBackoff backoff = new CompressionBackoff();

    private long position;
    private long recordCount;
    private long uncompressedBytes;
    private long minTimestamp = Long.MAX_VALUE;
    private long maxTimestamp = Long.MIN_VALUE;
    private boolean finished;

    /**
     * @param name             the segment's name for error messages, normally its object key
     * @param compressor       the codec to use; shared compressors must not be used by two threads at once
     * @param blockTargetBytes uncompressed size at which {@link #append} cuts a block
     */
    public SegmentWriter(String name, String topic, int partition, BlockCompressor compressor, OutputStream out,
                         int blockTargetBytes) {
        this(name, topic, partition, compressor, out, blockTargetBytes, -1);
    }

    /**
     * @param coversFrom the first offset the writer was waiting for when it opened this segment (one past the
     *                   previous segment's last offset, or the resume point); offsets from there up to the first
     *                   record are recorded as a real gap. -1: the segment covers from its first record.
     */
    public SegmentWriter(String name, String topic, int partition, BlockCompressor compressor, OutputStream out,
                         int blockTargetBytes, long coversFrom) {
        this(name, topic, partition, compressor, out, blockTargetBytes, coversFrom, EncryptionKeys.NONE);
    }

    /**
     * @param keys encrypts the segment with a fresh data key wrapped by the current master key, if there is one
     */
    public SegmentWriter(String name, String topic, int partition, BlockCompressor compressor, OutputStream out,
                         int blockTargetBytes, long coversFrom, EncryptionKeys keys) {
        this.coversFrom = coversFrom;
        this.cipher = keys.encrypts() ? keys.newSegmentCipher() : null;
        this.name = Objects.requireNonNull(name, "name");
        this.topic = Objects.requireNonNull(topic, "topic");
        this.partition = partition;
        this.compressor = Objects.requireNonNull(compressor, "compressor");
        this.out = Objects.requireNonNull(out, "out");
        if (blockTargetBytes <= 0 || blockTargetBytes > SegmentFormat.MAX_BLOCK_BYTES) {
            throw new IllegalArgumentException("Block size " + blockTargetBytes + " is outside 1.."
                    + SegmentFormat.MAX_BLOCK_BYTES);
        }
        this.blockTargetBytes = blockTargetBytes;
        this.encoder = new BlockEncoder(blockTargetBytes);
        if (topic.getBytes(StandardCharsets.UTF_8).length > 0xFFFF) {
            throw new IllegalArgumentException("Topic name is too long for a segment footer: " + topic);
        }
        writeHeader();
    }

    /** Appends a record (offsets must increase); writes a block whenever the current one reaches the target. */
    public void append(BackupRecord record) {
        checkOpen();
        if (recordCount() > 0 && record.offset() <= lastOffsetWritten()) {
            throw new IllegalArgumentException("Record offset " + record.offset() + " is not above the previous offset "
                    + lastOffsetWritten() + " in segment " + name);
        }
        encoder.append(record);
        if (encoder.sizeInBytes() >= blockTargetBytes) {
            RawBlock block = encoder.seal();
            writeBlock(block);
            encoder.recycle(block.data()); // written and no longer referenced: the next block reuses its buffer
        }
    }

    /** Compresses and writes one encoded block; its first offset must be above every offset already written. */
    public void writeBlock(RawBlock block) {
        checkOpen();
        if (index.isEmpty() && block.firstOffset() < coversFrom) {
            throw new IllegalArgumentException("Block starting at offset " + block.firstOffset() + " is below offset "
                    + coversFrom + ", where segment " + name + " was opened to continue");
        }
        if (!index.isEmpty() && block.firstOffset() <= index.get(index.size() - 1).lastOffset()) {
            throw new IllegalArgumentException("Block starting at offset " + block.firstOffset()
                    + " does not follow offset " + index.get(index.size() - 1).lastOffset() + " in segment " + name);
        }
        // A block that compression does not shrink enough is stored as it is, marked by codec none in its header.
        BlockCompressor.Bytes compressed = compressor.codec() != Codec.NONE && backoff.tryCompress()
                ? compressor.compress(block.data(), block.length()) : null;
        boolean keep = compressed != null && backoff.keepCompressed(compressed.length(), block.length());
        Codec blockCodec = keep ? compressor.codec() : Codec.NONE;
        byte[] payload = keep ? compressed.array() : block.data();
        int payloadLength = keep ? compressed.length() : block.length();
        int storedLength = payloadLength + (cipher == null ? 0 : BlockCipher.TAG_BYTES);
        blockHeader.clear();
        blockHeader.put((byte) SegmentFormat.BLOCK_MARKER)
                .put((byte) blockCodec.id())
                .putInt(block.recordCount())
                .putInt(block.length())
                .putInt(storedLength)
                .putLong(block.firstOffset())
                .putLong(block.lastOffset())
                .putLong(block.minTimestamp())
                .putLong(block.maxTimestamp());
        byte[] stored = cipher == null ? payload
                : cipher.seal(index.size(), blockHeader.array(), payload, payloadLength);
        blockHeader.putInt(FooterCodec.crc(stored, 0, storedLength));
        blockHeader.putInt(FooterCodec.crc(blockHeader.array(), 0, blockHeader.position()));

        long blockPosition = position;
        write(blockHeader.array(), 0, SegmentFormat.BLOCK_HEADER_SIZE);
        write(stored, 0, storedLength);
        index.add(new BlockIndexEntry(blockPosition, (int) (position - blockPosition), block.recordCount(),
                block.firstOffset(), block.lastOffset(), block.minTimestamp(), block.maxTimestamp()));
        recordCount += block.recordCount();
        uncompressedBytes += block.length();
        minTimestamp = Math.min(minTimestamp, block.minTimestamp());
        maxTimestamp = Math.max(maxTimestamp, block.maxTimestamp());
    }

    /** Records written or waiting in the current block. */
    public long recordCount() {
        return recordCount + encoder.recordCount();
    }

    /**
     * Writes the last block, the footer and the trailer, and flushes the stream.
     *
     * @throws IllegalStateException if no record was written: an empty segment is never stored
     */
    public SegmentInfo finish() {
        checkOpen();
        if (!encoder.isEmpty()) {
            writeBlock(encoder.seal());
        }
        if (index.isEmpty()) {
            throw new IllegalStateException("Segment " + name + " has no records; empty segments are never written");
        }
        finished = true;
        long firstOffset = index.get(0).firstOffset();
        SegmentFooter footer = new SegmentFooter(topic, partition, compressor.codec(), recordCount,
                firstOffset, index.get(index.size() - 1).lastOffset(), minTimestamp, maxTimestamp,
                uncompressedBytes, coversFrom < 0 ? firstOffset : coversFrom, index,
                cipher == null ? null : cipher.keyRecord());
        byte[] footerBytes = FooterCodec.encode(footer);
        long footerPosition = position;
        write(footerBytes, 0, footerBytes.length);
        byte[] trailer = FooterCodec.encodeTrailer(footerPosition, footerBytes, version());
        write(trailer, 0, trailer.length);
        try {
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("Could not flush segment " + name, e);
        }
        return new SegmentInfo(name, topic, partition, compressor.codec(), footer.firstOffset(), footer.lastOffset(),
                recordCount, minTimestamp, maxTimestamp, position, uncompressedBytes, objectCrc.getValue(),
                index.size(), footer.coversFrom());
    }

    private long lastOffsetWritten() {
        return encoder.isEmpty() ? index.get(index.size() - 1).lastOffset() : encoder.lastOffset();
    }

    private int version() {
        return cipher == null ? SegmentFormat.VERSION : SegmentFormat.ENCRYPTED_VERSION;
    }

    private void writeHeader() {
        ByteBuffer header = ByteBuffer.allocate(SegmentFormat.HEADER_SIZE)
                .putInt(SegmentFormat.HEADER_MAGIC)
                .putShort((short) version())
                .put((byte) compressor.codec().id())
                .put((byte) (cipher == null ? 0 : SegmentFormat.FLAG_ENCRYPTED));
        header.putInt(FooterCodec.crc(header.array(), 0, header.position()));
        write(header.array(), 0, SegmentFormat.HEADER_SIZE);
        if (cipher != null) {
            byte[] record = cipher.keyRecord().encode();
            ByteBuffer section = ByteBuffer.allocate(SegmentFormat.KEY_SECTION_OVERHEAD + record.length)
                    .putShort((short) record.length).put(record);
            section.putInt(FooterCodec.crc(section.array(), 0, section.position()));
            write(section.array(), 0, section.capacity());
        }
    }

    private void write(byte[] bytes, int offset, int length) {
        try {
            out.write(bytes, offset, length);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not write segment " + name + " at byte " + position, e);
        }
        objectCrc.update(bytes, offset, length);
        position += length;
    }

    private void checkOpen() {
        if (finished) {
            throw new IllegalStateException("Segment " + name + " is already finished");
        }
    }
}
