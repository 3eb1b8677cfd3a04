package dev.kbackup.format;

import dev.kbackup.memory.HeapCost;

import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.zip.CRC32C;
import java.util.zip.CheckedInputStream;

import javax.crypto.AEADBadTagException;

/**
 * Reads a segment as a stream, one block at a time, checking every checksum on the way: the header, each block
 * header and payload, the footer against the trailer, and the footer's index against the blocks actually seen.
 * Memory is one compressed and one uncompressed block (and one decrypted block if the segment is encrypted).
 *
 * <p>An encrypted segment (format version 3) is opened with the {@link EncryptionKeys} that hold its master key id;
 * without it, opening fails with a {@link SegmentKeyException} naming the id. A block that fails authentication is
 * corrupt, like one whose checksum fails.
 *
 * <pre>{@code
 * try (SegmentReader reader = SegmentReader.open(in, key)) {
 *     while (reader.nextBlock() != null) {
 *         for (BackupRecord record : reader.records()) { ... }
 *     }
 * }
 * }</pre>
 */
public final class SegmentReader implements AutoCloseable {

    /** Largest compressed payload accepted: what the worst-case codec expansion of a maximal block can need. */
    static final int MAX_STORED_BLOCK_BYTES = SegmentFormat.MAX_BLOCK_BYTES + (SegmentFormat.MAX_BLOCK_BYTES >> 6);

    /** A BackupRecord with its headers list and list slot. */
    private static final int RECORD_OBJECT_BYTES = 64;
    /** A BackupHeader with its key String (whose bytes are counted apart). */
    private static final int HEADER_OBJECT_BYTES = 64;

    private final String name;
    private final SegmentInput input;
    private final CheckedInputStream checked;
    private final Codec codec;
    private final BlockDecompressor decompressor;
    private final int firstBlock;
    private final SegmentFooter expectedFooter;
    private final int version;
    private final SegmentKeyRecord keyRecord; // null: unencrypted
    private final BlockCipher cipher;
    private final List<BlockIndexEntry> seen = new ArrayList<>();
    private final ByteBuffer headerBytes = ByteBuffer.allocate(SegmentFormat.BLOCK_HEADER_SIZE);

    private byte[] payload = new byte[0];
    private byte[] plain = new byte[0];
    private BlockHeader current;
    private long currentPosition;
    private List<BackupRecord> currentRecords;
    private long currentRecordsBytes;
    private SegmentFooter footer;

    private SegmentReader(String name, InputStream in, long startPosition, Codec codec, int firstBlock,
                          SegmentFooter expectedFooter, SegmentKeyRecord keyRecord, BlockCipher cipher) {
        this.name = name;
        this.version = keyRecord == null ? SegmentFormat.VERSION : SegmentFormat.ENCRYPTED_VERSION;
        this.keyRecord = keyRecord;
        this.cipher = cipher;
        this.checked = new CheckedInputStream(in, new CRC32C());
        this.input = new SegmentInput(checked, name, startPosition);
        this.codec = codec;
        this.firstBlock = firstBlock;
        this.expectedFooter = expectedFooter;
        this.decompressor = codec == null ? null : codec.newDecompressor();
    }

    /** Reads a whole unencrypted segment from its first byte. The stream is closed with the reader. */
    public static SegmentReader open(InputStream in, String name) {
        return open(in, name, EncryptionKeys.NONE);
    }

    /**
     * Reads a whole segment from its first byte, decrypting it with {@code keys} if it is encrypted. The stream is
     * closed with the reader.
     *
     * @throws SegmentKeyException if the segment is encrypted under a key id {@code keys} does not open
     */
    public static SegmentReader open(InputStream in, String name, EncryptionKeys keys) {
        SegmentInput headerInput = new SegmentInput(in, name, 0);
        try {
            byte[] header = new byte[SegmentFormat.HEADER_SIZE];
            headerInput.readFully(header, 0, header.length, -1, "segment header");
            Codec codec = parseHeader(name, header);
            byte[] keySection = header[7] == 0 ? new byte[0] : readKeySection(headerInput, name);
            SegmentKeyRecord keyRecord = keySection.length == 0 ? null : SegmentKeyRecord.parse(name,
                    Arrays.copyOfRange(keySection, 2, keySection.length - 4), SegmentFormat.HEADER_SIZE + 2);
            BlockCipher cipher = keyRecord == null ? null : keys.segmentCipher(keyRecord, name);
            SegmentReader reader = new SegmentReader(name, in, headerInput.position(), codec, 0, null, keyRecord,
                    cipher);
            reader.checked.getChecksum().update(header, 0, header.length);
            reader.checked.getChecksum().update(keySection, 0, keySection.length);
            return reader;
        } catch (RuntimeException e) {
            headerInput.close();
            throw e;
        }
    }

    /** The key section after an encrypted segment's header: record length, record, CRC32C of both. */
    private static byte[] readKeySection(SegmentInput input, String name) {
        byte[] length = new byte[2];
        input.readFully(length, 0, 2, -1, "key section");
        int recordLength = Short.toUnsignedInt(ByteBuffer.wrap(length).getShort());
        if (recordLength > 3 + 2 * SegmentKeyRecord.MAX_KEY_ID_BYTES) {
            throw new CorruptSegmentException(name, -1, SegmentFormat.HEADER_SIZE, "key record length "
                    + recordLength + " is larger than a key record can be");
        }
        byte[] section = new byte[SegmentFormat.KEY_SECTION_OVERHEAD + recordLength];
        section[0] = length[0];
        section[1] = length[1];
        input.readFully(section, 2, section.length - 2, -1, "key section");
        int crc = ByteBuffer.wrap(section, section.length - 4, 4).getInt();
        if (FooterCodec.crc(section, 0, section.length - 4) != crc) {
            throw new CorruptSegmentException(name, -1, SegmentFormat.HEADER_SIZE, "key section checksum mismatch");
        }
        return section;
    }

    /**
     * Reads from the start of block {@code blockIndex} of a segment whose footer is already known; {@code in}
     * must begin at that block's position (a ranged read to the end of the object).
     */
    public static SegmentReader openAtBlock(InputStream in, String name, SegmentFooter footer, int blockIndex) {
        return openAtBlock(in, name, footer, blockIndex, EncryptionKeys.NONE);
    }

    /**
     * Like {@link #openAtBlock(InputStream, String, SegmentFooter, int)}, decrypting with {@code keys} if the
     * segment is encrypted.
     *
     * @throws SegmentKeyException if the segment is encrypted under a key id {@code keys} does not open
     */
    public static SegmentReader openAtBlock(InputStream in, String name, SegmentFooter footer, int blockIndex,
                                            EncryptionKeys keys) {
        if (blockIndex < 0 || blockIndex >= footer.blocks().size()) {
            throw new IllegalArgumentException("Segment " + name + " has no block " + blockIndex);
        }
        BlockCipher cipher = footer.keyRecord() == null ? null : keys.segmentCipher(footer.keyRecord(), name);
        return new SegmentReader(name, in, footer.blocks().get(blockIndex).position(), footer.codec(), blockIndex,
                footer, footer.keyRecord(), cipher);
    }

    /** Reads all records of a whole segment; for small segments and tests. */
    public static List<BackupRecord> readAll(InputStream in, String name) {
        return readAll(in, name, EncryptionKeys.NONE);
    }

    /** Reads all records of a whole segment, decrypting with {@code keys}; for small segments and tests. */
    public static List<BackupRecord> readAll(InputStream in, String name, EncryptionKeys keys) {
        List<BackupRecord> records = new ArrayList<>();
        try (SegmentReader reader = open(in, name, keys)) {
            while (reader.nextBlock() != null) {
                records.addAll(reader.records());
            }
        }
        return records;
    }

    /**
     * Reads and checks the next block, or reads and checks the footer and returns null when there is no next block.
     * The block's records are decoded only if {@link #records()} is called, so a block outside a wanted range costs
     * only its checksum.
     */
    public BlockHeader nextBlock() {
        if (footer != null) {
            return null;
        }
        int blockIndex = firstBlock + seen.size();
        long position = input.position();
        int marker = input.readByteOrEnd();
        if (marker < 0) {
            throw new CorruptSegmentException(name, blockIndex, position,
                    "truncated: the object ends before its footer");
        }
        if (marker == SegmentFormat.FOOTER_MARKER) {
            readFooter(position);
            current = null;
            return null;
        }
        if (marker != SegmentFormat.BLOCK_MARKER) {
            throw new CorruptSegmentException(name, blockIndex, position, String.format(
                    "found byte 0x%02x where a block (0x%02x) or the footer (0x%02x) should start",
                    marker, SegmentFormat.BLOCK_MARKER, SegmentFormat.FOOTER_MARKER));
        }
        if (expectedFooter != null && blockIndex >= expectedFooter.blocks().size()) {
            throw new CorruptSegmentException(name, blockIndex, position, "a block starts where the footer, which "
                    + "lists " + expectedFooter.blocks().size() + " blocks, should be");
        }
        BlockHeader header = readBlockHeader(blockIndex, position);
        payload = input.readGrowing(payload, header.compressedLength(), blockIndex, "payload of block " + blockIndex);
        if (FooterCodec.crc(payload, 0, header.compressedLength()) != header.payloadCrc()) {
            throw new CorruptSegmentException(name, blockIndex, position, "block payload checksum mismatch (offsets "
                    + header.firstOffset() + ".." + header.lastOffset() + ")");
        }
        BlockIndexEntry entry = new BlockIndexEntry(position, (int) header.totalLength(), header.recordCount(),
                header.firstOffset(), header.lastOffset(), header.minTimestamp(), header.maxTimestamp());
        if (expectedFooter != null && !entry.equals(expectedFooter.blocks().get(blockIndex))) {
            throw new CorruptSegmentException(name, blockIndex, position,
                    "block disagrees with the footer's index entry " + expectedFooter.blocks().get(blockIndex));
        }
        seen.add(entry);
        current = header;
        currentPosition = position;
        currentRecords = null;
        return header;
    }

    /** Index of the block last returned by {@link #nextBlock()}. */
    public int blockIndex() {
        return firstBlock + seen.size() - 1;
    }

    /** Decompresses and decodes the block last returned by {@link #nextBlock()}. */
    public List<BackupRecord> records() {
        if (current == null) {
            throw new IllegalStateException("No current block in segment " + name);
        }
        if (currentRecords == null) {
            int blockIndex = blockIndex();
            byte[] compressed = payload;
            int compressedLength = current.compressedLength();
            if (cipher != null) {
                compressed = decrypt(blockIndex);
                compressedLength -= BlockCipher.TAG_BYTES;
            }
            // a block stored uncompressed says codec none, whatever the segment's codec
            BlockDecompressor blockDecompressor = current.codec() == Codec.NONE ? BlockDecompressor.NONE : decompressor;
            try {
                blockDecompressor.checkCanProduce(compressed, compressedLength, current.uncompressedLength());
                if (plain.length < current.uncompressedLength()) {
                    plain = new byte[current.uncompressedLength()];
                }
                blockDecompressor.decompress(compressed, compressedLength, plain, current.uncompressedLength());
            } catch (IllegalArgumentException e) {
                throw new CorruptSegmentException(name, blockIndex, currentPosition, e.getMessage(), e);
            }
            currentRecords = BlockDecoder.decode(name, blockIndex, currentPosition, current, plain);
            currentRecordsBytes = heapBytes(currentRecords);
        }
        return currentRecords;
    }

    /** The current block's compressed payload; {@code headerBytes} still holds its header, bound into the tag. */
    private byte[] decrypt(int blockIndex) {
        try {
            return cipher.open(blockIndex, headerBytes.array(), payload, current.compressedLength());
        } catch (AEADBadTagException e) {
            throw new CorruptSegmentException(name, blockIndex, currentPosition, "block fails authentication with "
                    + "the segment's data key (offsets " + current.firstOffset() + ".." + current.lastOffset()
                    + "): it was altered, reordered or moved from another segment", e);
        }
    }

    /**
     * Heap this reader holds: its compressed, decrypted and uncompressed block buffers and, once {@link #records()}
     * decoded it, the current block's records (while the caller keeps them).
     */
    public long heapBytes() {
        return HeapCost.ofArray(payload.length) + HeapCost.ofArray(plain.length)
                + (cipher == null ? 0 : HeapCost.ofArray(cipher.bufferBytes()))
                + (currentRecords == null ? 0 : currentRecordsBytes);
    }

    /** The id of the master key the segment is encrypted under, if it is. */
    public Optional<String> encryptionKeyId() {
        return keyRecord == null ? Optional.empty() : Optional.of(keyRecord.keyId());
    }

    /** What decoded records occupy: each record object and list slot, its arrays and its headers. */
    private static long heapBytes(List<BackupRecord> records) {
        long bytes = HeapCost.ofArray(8L * records.size());
        for (BackupRecord record : records) {
            bytes += RECORD_OBJECT_BYTES + arrayBytes(record.key()) + arrayBytes(record.value());
            for (BackupHeader header : record.headers()) {
                bytes += HEADER_OBJECT_BYTES + header.key().length() + arrayBytes(header.value());
            }
        }
        return bytes;
    }

    private static long arrayBytes(byte[] array) {
        return array == null ? 0 : HeapCost.ofArray(array.length);
    }

    /** The footer, once {@link #nextBlock()} has returned null. */
    public SegmentFooter footer() {
        if (footer == null) {
            throw new IllegalStateException("The footer of segment " + name + " has not been reached yet");
        }
        return footer;
    }

    /**
     * CRC32C of every byte read, which is the whole object's checksum once the footer has been reached by a reader
     * that started at the first byte ({@link #open}).
     */
    public long bytesChecksum() {
        return checked.getChecksum().getValue();
    }

    @Override
    public void close() {
        try {
            input.close();
        } finally {
            if (decompressor != null) {
                decompressor.close();
            }
        }
    }

    private static Codec parseHeader(String name, byte[] header) {
        ByteBuffer buffer = ByteBuffer.wrap(header);
        int magic = buffer.getInt();
        if (magic != SegmentFormat.HEADER_MAGIC) {
            throw new CorruptSegmentException(name, -1, 0, String.format(
                    "magic is 0x%08x, expected 0x%08x: this object is not a kbackup segment",
                    magic, SegmentFormat.HEADER_MAGIC));
        }
        int version = Short.toUnsignedInt(buffer.getShort());
        if (!SegmentFormat.isKnownVersion(version)) {
            throw new CorruptSegmentException(name, -1, 4, SegmentFormat.unsupportedVersion(version, "header"));
        }
        byte codecId = buffer.get();
        int flags = Byte.toUnsignedInt(buffer.get());
        int crc = buffer.getInt();
        if (FooterCodec.crc(header, 0, 8) != crc) {
            throw new CorruptSegmentException(name, -1, 0, "segment header checksum mismatch");
        }
        int expectedFlags = version == SegmentFormat.ENCRYPTED_VERSION ? SegmentFormat.FLAG_ENCRYPTED : 0;
        if (flags != expectedFlags) {
            throw new CorruptSegmentException(name, -1, 7, "header flags 0x" + Integer.toHexString(flags)
                    + " are not the 0x" + Integer.toHexString(expectedFlags) + " of format version " + version);
        }
        return FooterCodec.codecFrom(name, codecId, 6);
    }

    private BlockHeader readBlockHeader(int blockIndex, long position) {
        headerBytes.clear();
        headerBytes.put((byte) SegmentFormat.BLOCK_MARKER);
        input.readFully(headerBytes.array(), 1, SegmentFormat.BLOCK_HEADER_SIZE - 1, blockIndex,
                "header of block " + blockIndex);
        ByteBuffer buffer = ByteBuffer.wrap(headerBytes.array());
        buffer.get();
        byte codecId = buffer.get();
        int recordCount = buffer.getInt();
        int uncompressed = buffer.getInt();
        int compressed = buffer.getInt();
        long firstOffset = buffer.getLong();
        long lastOffset = buffer.getLong();
        long minTimestamp = buffer.getLong();
        long maxTimestamp = buffer.getLong();
        int payloadCrc = buffer.getInt();
        int headerCrc = buffer.getInt();
        if (FooterCodec.crc(headerBytes.array(), 0, SegmentFormat.BLOCK_HEADER_SIZE - 4) != headerCrc) {
            throw new CorruptSegmentException(name, blockIndex, position, "block header checksum mismatch");
        }
        Codec blockCodec;
        try {
            blockCodec = Codec.fromId(Byte.toUnsignedInt(codecId));
        } catch (IllegalArgumentException e) {
            throw new CorruptSegmentException(name, blockIndex, position, "unknown block codec id "
                    + Byte.toUnsignedInt(codecId) + "; this reader knows 0 (none), 1 (zstd) and 2 (lz4)");
        }
        long previousLast = seen.isEmpty() ? -1 : seen.get(seen.size() - 1).lastOffset();
        String problem = null;
        if (blockCodec != codec && blockCodec != Codec.NONE) {
            problem = "block codec " + blockCodec + " is neither the segment's " + codec
                    + " nor NONE (a block stored uncompressed)";
        } else if (recordCount <= 0) {
            problem = "record count " + recordCount;
        } else if (uncompressed < 0 || uncompressed > SegmentFormat.MAX_BLOCK_BYTES) {
            problem = "uncompressed length " + uncompressed + " is outside 0.." + SegmentFormat.MAX_BLOCK_BYTES;
        } else if (recordCount > uncompressed / SegmentFormat.MIN_RECORD_BYTES) {
            problem = "record count " + recordCount + " cannot fit in " + uncompressed + " uncompressed bytes (a record"
                    + " takes at least " + SegmentFormat.MIN_RECORD_BYTES + ")";
        } else if (compressed < 0 || compressed > MAX_STORED_BLOCK_BYTES) {
            problem = "compressed length " + compressed + " is outside 0.." + MAX_STORED_BLOCK_BYTES;
        } else if (cipher != null && compressed < BlockCipher.TAG_BYTES) {
            problem = "encrypted block of " + compressed + " stored bytes is shorter than its "
                    + BlockCipher.TAG_BYTES + "-byte authentication tag";
        } else if (blockCodec == Codec.NONE
                && compressed - (cipher == null ? 0 : BlockCipher.TAG_BYTES) != uncompressed) {
            problem = "uncompressed block declares " + compressed + " stored and " + uncompressed + " plain bytes";
        } else if (firstOffset < 0 || lastOffset < firstOffset || lastOffset - firstOffset < recordCount - 1L) {
            problem = "offsets " + firstOffset + ".." + lastOffset + " cannot hold " + recordCount + " records";
        } else if (firstOffset <= previousLast) {
            problem = "first offset " + firstOffset + " does not follow the previous block's last offset "
                    + previousLast;
        } else if (minTimestamp > maxTimestamp) {
            problem = "timestamp range [" + minTimestamp + ", " + maxTimestamp + "] is inverted";
        }
        if (problem != null) {
            throw new CorruptSegmentException(name, blockIndex, position, problem);
        }
        return new BlockHeader(blockCodec, recordCount, uncompressed, compressed, firstOffset, lastOffset,
                minTimestamp, maxTimestamp, payloadCrc);
    }

    private void readFooter(long footerPosition) {
        byte[] prefix = new byte[SegmentFormat.FOOTER_PREFIX_SIZE];
        prefix[0] = (byte) SegmentFormat.FOOTER_MARKER;
        input.readFully(prefix, 1, 4, -1, "footer");
        int bodyLength = ByteBuffer.wrap(prefix, 1, 4).getInt();
        if (bodyLength < 0 || bodyLength > FooterCodec.MAX_FOOTER_BYTES) {
            throw new CorruptSegmentException(name, -1, footerPosition + 1, "footer length " + bodyLength
                    + " is outside 0.." + FooterCodec.MAX_FOOTER_BYTES);
        }
        byte[] body = input.readGrowing(new byte[0], bodyLength, -1, "footer");
        byte[] footerBytes = new byte[SegmentFormat.FOOTER_PREFIX_SIZE + bodyLength];
        System.arraycopy(prefix, 0, footerBytes, 0, prefix.length);
        System.arraycopy(body, 0, footerBytes, prefix.length, bodyLength);

        long trailerPosition = input.position();
        byte[] trailerBytes = new byte[SegmentFormat.TRAILER_SIZE];
        input.readFully(trailerBytes, 0, trailerBytes.length, -1, "trailer");
        FooterCodec.Trailer trailer = FooterCodec.parseTrailer(name, trailerBytes, 0, trailerPosition);
        if (trailer.footerPosition() != footerPosition) {
            throw new CorruptSegmentException(name, -1, trailerPosition, "trailer points to a footer at byte "
                    + trailer.footerPosition() + " but the footer starts at byte " + footerPosition);
        }
        if (trailer.version() != version) {
            throw new CorruptSegmentException(name, -1, trailerPosition + 16, "trailer says format version "
                    + trailer.version() + " but the segment was read as version " + version);
        }
        SegmentFooter parsed = FooterCodec.parse(name, footerBytes, 0, trailer);
        if (!Objects.equals(parsed.keyRecord(), keyRecord)) {
            throw new CorruptSegmentException(name, -1, footerPosition,
                    "footer's key record differs from the one the blocks were read with");
        }
        List<BlockIndexEntry> expected = parsed.blocks().subList(Math.min(firstBlock, parsed.blocks().size()),
                parsed.blocks().size());
        if (parsed.codec() != codec || !expected.equals(seen)) {
            throw new CorruptSegmentException(name, -1, footerPosition,
                    "footer index does not describe the blocks read (" + seen.size() + " blocks read, index lists "
                            + expected.size() + " from block " + firstBlock + ")");
        }
        if (input.readByteOrEnd() >= 0) {
            throw new CorruptSegmentException(name, -1, input.position() - 1, "unexpected bytes after the trailer");
        }
        footer = parsed;
    }
}
