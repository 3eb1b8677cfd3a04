package dev.kbackup.format;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.CRC32C;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Blocks that compression does not shrink are stored as they are, marked by codec none in their header, next to
 * compressed blocks in the same segment: they read back exactly, the marker is covered by the header checksum and,
 * encrypted, by the authentication tag, and a segment of incompressible records costs what codec none costs.
 */
class SegmentRawBlocksTest {

    private static final String NAME = "backups/b1/topics/orders/partition=3/segment-00000000000000000000.zst";
    private static final EncryptionKeys KEYS = EncryptionKeys.of("key-a", Map.of("key-a", key()));
    private static final int RECORDS_PER_BLOCK = 4;
    /** At the block header: marker(1), then the codec byte. */
    private static final int CODEC_BYTE = 1;

    /**
     * Which blocks compress: two blocks of each kind mixed, four that do not in a row (the writer backs off), 64 that
     * would compress but are not tried, one that compresses (the probe), one that does not.
     */
    private static final String PATTERN = "CRCRRC" + "RRRR" + "C".repeat(64) + "C" + "R";
    /** The codec each block of {@link #PATTERN} is stored with: Z for the segment's, N for none. */
    private static final String STORED = "ZNZNNZ" + "NNNN" + "N".repeat(64) + "Z" + "N";

    @ParameterizedTest
    @CsvSource({"ZSTD, false", "LZ4, false", "ZSTD, true", "LZ4, true"})
    void compressedAndUncompressedBlocksOfOneSegmentReadBackExactly(Codec codec, boolean encrypted) {
        EncryptionKeys keys = encrypted ? KEYS : EncryptionKeys.NONE;
        List<RawBlock> blocks = blocks(PATTERN);
        List<BackupRecord> records = new ArrayList<>();
        for (RawBlock block : blocks) {
            records.addAll(decode(block));
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        SegmentInfo info;
        try (BlockCompressor compressor = codec.newCompressor(Codec.ZSTD_DEFAULT_LEVEL)) {
            SegmentWriter writer = new SegmentWriter(NAME, "orders", 3, compressor, out, 4096, -1, keys);
            blocks.forEach(writer::writeBlock);
            info = writer.finish();
        }
        byte[] segment = out.toByteArray();

        assertEquals(codec, info.codec());
        assertEquals(records.size(), info.recordCount());
        assertEquals(segment.length, info.sizeBytes());
        assertEquals(crc(segment), info.crc32c());

        List<BlockHeader> headers = new ArrayList<>();
        List<BackupRecord> read = new ArrayList<>();
        SegmentFooter footer;
        try (SegmentReader reader = SegmentReader.open(new ByteArrayInputStream(segment), NAME, keys)) {
            for (BlockHeader header = reader.nextBlock(); header != null; header = reader.nextBlock()) {
                headers.add(header);
                read.addAll(reader.records());
            }
            footer = reader.footer();
            assertEquals(crc(segment), reader.bytesChecksum());
        }
        assertEquals(records, read);
        assertEquals(codec, footer.codec());
        assertEquals(STORED, storedCodecs(headers, codec));
        for (int b = 0; b < blocks.size(); b++) {
            RawBlock block = blocks.get(b);
            BlockHeader header = headers.get(b);
            BlockIndexEntry entry = footer.blocks().get(b);
            String where = "block " + b;
            assertEquals(List.of(block.recordCount(), block.length(), block.firstOffset(), block.lastOffset(),
                    block.minTimestamp(), block.maxTimestamp()), List.of(header.recordCount(),
                    header.uncompressedLength(), header.firstOffset(), header.lastOffset(), header.minTimestamp(),
                    header.maxTimestamp()), where);
            assertEquals(new BlockIndexEntry(entry.position(), (int) header.totalLength(), block.recordCount(),
                    block.firstOffset(), block.lastOffset(), block.minTimestamp(), block.maxTimestamp()), entry, where);
            if (header.codec() == Codec.NONE) {
                assertEquals(block.length() + (encrypted ? BlockCipher.TAG_BYTES : 0), header.compressedLength(),
                        where + " is stored as it is");
            } else {
                assertTrue(header.compressedLength() < block.length() / 2, where + " is stored compressed");
            }
        }

        // a seeking reader starts at either kind of block and reads the rest of the segment
        for (int b : new int[] {1, 2, 9, 74, 75}) {
            BlockIndexEntry entry = footer.blocks().get(b);
            List<BackupRecord> tail = new ArrayList<>();
            try (SegmentReader reader = SegmentReader.openAtBlock(new ByteArrayInputStream(segment,
                    (int) entry.position(), segment.length), NAME, footer, b, keys)) {
                while (reader.nextBlock() != null) {
                    tail.addAll(reader.records());
                }
            }
            assertEquals(records.subList(b * RECORDS_PER_BLOCK, records.size()), tail, "from block " + b);
        }
    }

    @Test
    void aSegmentOfIncompressibleRecordsIsStoredAsCodecNoneWouldStoreIt() {
        List<RawBlock> blocks = blocks("R".repeat(40));
        byte[] zstd = write(Codec.ZSTD, blocks, EncryptionKeys.NONE);
        byte[] none = write(Codec.NONE, blocks, EncryptionKeys.NONE);

        assertEquals(none.length, zstd.length);
        SegmentFooter zstdFooter = SegmentRoundTripTest.readFooter(zstd);
        assertEquals(SegmentRoundTripTest.readFooter(none).blocks(), zstdFooter.blocks());
        for (BlockIndexEntry block : zstdFooter.blocks()) {
            int at = (int) block.position();
            assertEquals(Codec.NONE.id(), zstd[at + CODEC_BYTE], "block at byte " + at);
            assertArrayEquals(slice(none, at, block.length()), slice(zstd, at, block.length()));
        }
    }

    @ParameterizedTest
    @EnumSource(value = Codec.class, names = {"ZSTD", "LZ4"})
    void aFlippedMarkerIsCorruptionAtThatBlock(Codec codec) {
        byte[] segment = write(codec, blocks(PATTERN), EncryptionKeys.NONE);
        List<BlockIndexEntry> index = SegmentRoundTripTest.readFooter(segment).blocks();
        BlockIndexEntry raw = index.get(1);
        BlockIndexEntry compressed = index.get(2);

        // as damage: the header checksum no longer matches
        CorruptSegmentException damaged = assertCorrupt(withCodec(segment, raw, codec, false), EncryptionKeys.NONE);
        assertEquals(List.of(1, raw.position()), List.of(damaged.block(), damaged.position()));
        assertTrue(damaged.getMessage().contains("block header checksum mismatch"), damaged.getMessage());
        damaged = assertCorrupt(withCodec(segment, compressed, Codec.NONE, false), EncryptionKeys.NONE);
        assertEquals(List.of(2, compressed.position()), List.of(damaged.block(), damaged.position()));

        // on purpose, every checksum made right again: the payload does not decode as the flipped marker says
        CorruptSegmentException forged = assertCorrupt(withCodec(segment, raw, codec, true), EncryptionKeys.NONE);
        assertEquals(List.of(1, raw.position()), List.of(forged.block(), forged.position()));
        forged = assertCorrupt(withCodec(segment, compressed, Codec.NONE, true), EncryptionKeys.NONE);
        assertEquals(List.of(2, compressed.position()), List.of(forged.block(), forged.position()));
        assertTrue(forged.getMessage().contains("uncompressed block declares"), forged.getMessage());
    }

    @ParameterizedTest
    @EnumSource(value = Codec.class, names = {"ZSTD", "LZ4"})
    void inAnEncryptedSegmentAFlippedMarkerFailsAuthentication(Codec codec) {
        byte[] segment = write(codec, blocks(PATTERN), KEYS);
        BlockIndexEntry raw = SegmentRoundTripTest.readFooter(segment, KEYS).blocks().get(3);

        CorruptSegmentException e = assertCorrupt(withCodec(segment, raw, codec, true), KEYS);
        assertEquals(List.of(3, raw.position()), List.of(e.block(), e.position()));
        assertTrue(e.getMessage().contains("fails authentication"), e.getMessage());
    }

    @Test
    void aBlockCodecThatIsNeitherTheSegmentsNorNoneIsRefusedByName() {
        byte[] segment = write(Codec.ZSTD, blocks(PATTERN), EncryptionKeys.NONE);
        BlockIndexEntry block = SegmentRoundTripTest.readFooter(segment).blocks().get(2);

        CorruptSegmentException other = assertCorrupt(withCodec(segment, block, Codec.LZ4, true), EncryptionKeys.NONE);
        assertEquals(List.of(2, block.position()), List.of(other.block(), other.position()));
        assertTrue(other.getMessage().contains("block codec LZ4 is neither the segment's ZSTD nor NONE"),
                other.getMessage());

        byte[] unknown = segment.clone();
        unknown[(int) block.position() + CODEC_BYTE] = 7;
        fixHeaderCrc(unknown, block);
        CorruptSegmentException e = assertCorrupt(unknown, EncryptionKeys.NONE);
        assertEquals(List.of(2, block.position()), List.of(e.block(), e.position()));
        assertTrue(e.getMessage().contains("unknown block codec id 7"), e.getMessage());
    }

    // ---- building segments ----

    /** One block of {@link #RECORDS_PER_BLOCK} records per character: C json-like text, R random bytes. */
    private static List<RawBlock> blocks(String pattern) {
        Random random = new Random(17);
        List<RawBlock> blocks = new ArrayList<>();
        long offset = 1000;
        for (char kind : pattern.toCharArray()) {
            BlockEncoder encoder = new BlockEncoder();
            for (int i = 0; i < RECORDS_PER_BLOCK; i++, offset++) {
                byte[] value;
                if (kind == 'C') {
                    value = String.join(",", Collections.nCopies(40, "{\"order\":" + offset + ",\"state\":\"paid\"}"))
                            .getBytes(StandardCharsets.UTF_8);
                } else {
                    value = new byte[1000];
                    random.nextBytes(value);
                }
                encoder.append(new BackupRecord(offset, 1_767_225_600_000L - random.nextInt(5000),
                        TimestampKind.CREATE_TIME, ("k" + offset).getBytes(StandardCharsets.UTF_8), value,
                        List.of(BackupHeader.utf8("content-type", kind == 'C' ? "json" : "binary"))));
            }
            blocks.add(encoder.seal());
        }
        return blocks;
    }

    private static byte[] write(Codec codec, List<RawBlock> blocks, EncryptionKeys keys) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (BlockCompressor compressor = codec.newCompressor(Codec.ZSTD_DEFAULT_LEVEL)) {
            SegmentWriter writer = new SegmentWriter(NAME, "orders", 3, compressor, out, 4096, -1, keys);
            blocks.forEach(writer::writeBlock);
            writer.finish();
        }
        return out.toByteArray();
    }

    private static List<BackupRecord> decode(RawBlock block) {
        BlockHeader header = new BlockHeader(Codec.NONE, block.recordCount(), block.length(), block.length(),
                block.firstOffset(), block.lastOffset(), block.minTimestamp(), block.maxTimestamp(), 0);
        return BlockDecoder.decode(NAME, 0, 0, header, block.data());
    }

    private static String storedCodecs(List<BlockHeader> headers, Codec segmentCodec) {
        StringBuilder stored = new StringBuilder();
        for (BlockHeader header : headers) {
            assertTrue(header.codec() == segmentCodec || header.codec() == Codec.NONE, header.toString());
            stored.append(header.codec() == Codec.NONE ? 'N' : 'Z');
        }
        return stored.toString();
    }

    // ---- reading and byte surgery ----

    private static CorruptSegmentException assertCorrupt(byte[] segment, EncryptionKeys keys) {
        try {
            List<BackupRecord> records = SegmentReader.readAll(new ByteArrayInputStream(segment), NAME, keys);
            fail("read " + records.size() + " records without noticing");
            return null;
        } catch (CorruptSegmentException e) {
            assertTrue(e.getMessage().contains(NAME), e.getMessage());
            return e;
        }
    }

    /** The segment with {@code block}'s codec byte set to {@code codec}, its header checksum fixed or not. */
    private static byte[] withCodec(byte[] segment, BlockIndexEntry block, Codec codec, boolean fixChecksum) {
        byte[] changed = segment.clone();
        assertTrue(changed[(int) block.position() + CODEC_BYTE] != codec.id(), "the marker changes");
        changed[(int) block.position() + CODEC_BYTE] = (byte) codec.id();
        if (fixChecksum) {
            fixHeaderCrc(changed, block);
        }
        return changed;
    }

    private static void fixHeaderCrc(byte[] segment, BlockIndexEntry block) {
        int at = (int) block.position();
        CRC32C crc = new CRC32C();
        crc.update(segment, at, SegmentFormat.BLOCK_HEADER_SIZE - 4);
        ByteBuffer.wrap(segment).putInt(at + SegmentFormat.BLOCK_HEADER_SIZE - 4, (int) crc.getValue());
    }

    private static long crc(byte[] bytes) {
        CRC32C crc = new CRC32C();
        crc.update(bytes);
        return crc.getValue();
    }

    private static byte[] slice(byte[] bytes, int from, int length) {
        byte[] slice = new byte[length];
        System.arraycopy(bytes, from, slice, 0, length);
        return slice;
    }

    private static byte[] key() {
        byte[] key = new byte[EncryptionKeys.KEY_BYTES];
        new Random(3).nextBytes(key);
        return key;
    }
}
