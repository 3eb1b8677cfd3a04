package dev.kbackup.format;

import dev.kbackup.layout.StoredSegment;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.zip.CRC32C;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import dev.kbackup.storage.ObjectInfo;
import dev.kbackup.storage.ObjectStore;
import dev.kbackup.storage.ObjectUpload;
import dev.kbackup.storage.WriteMode;
import dev.kbackup.testing.RandomRecords;

/**
 * Mutates real segments (written by {@link SegmentWriter}) in every way a damaged or hostile object can differ, and
 * reads each one the way a restore does: whole from the first byte, and through the footer with ranged reads. Only
 * {@link CorruptSegmentException} may come out, naming the object, and no read may allocate more than the object's
 * bytes can justify: a size taken on trust from the bytes shows up here as a failure even where the heap could hold
 * it. Deterministic: fixed records, every position and every extreme value, no randomness in the mutations.
 */
class SegmentMutationFuzzTest {

    private static final String KEY = "backups/b1/topics/orders/partition=0/segment-00000000000000001000";
    /** The segments are a few KB; a read that allocates more than this trusted a size it should have checked. */
    private static final long ALLOCATION_LIMIT = 16L << 20;
    private static final long[] EXTREMES = {0, 1, -1, 0x7F, 0x80, 0xFF, 0xFFFF, Integer.MAX_VALUE,
        Integer.MIN_VALUE, 1L << 31, Long.MAX_VALUE, Long.MIN_VALUE, SegmentFormat.MAX_BLOCK_BYTES,
        SegmentFormat.MAX_BLOCK_BYTES + 1L};
    /** Each field of a block header as (offset, width); the header CRC (last 4 bytes) is recomputed after a change. */
    private static final int[][] BLOCK_HEADER_FIELDS = {{1, 1}, {2, 4}, {6, 4}, {10, 4}, {14, 8}, {22, 8}, {30, 8},
        {38, 8}, {46, 4}};
    private static final int[][] SEGMENT_HEADER_FIELDS = {{0, 4}, {4, 2}, {6, 1}, {7, 1}};
    /** Each field of the trailer as (offset, width). */
    private static final int[][] TRAILER_FIELDS = {{0, 8}, {8, 4}, {12, 4}, {16, 2}, {18, 2}, {20, 4}};

    private final OneObjectStore store = new OneObjectStore();
    private final Map<Outcome, Integer> outcomes = new EnumMap<>(Outcome.class);

    private enum Outcome { READ, CORRUPT }

    @ParameterizedTest
    @EnumSource(Codec.class)
    void onlyTheFormatsOwnExceptionComesOutOfAMutatedSegment(Codec codec) {
        try (BlockCompressor compressor = codec.newCompressor(3)) {
            List<BackupRecord> records = records();
            List<RawBlock> blocks = blocks(records);
            byte[] original = write(compressor, blocks);
            assertEquals(Outcome.READ, readBothWays(original, "the unmutated segment"));
            assertEquals(records, SegmentReader.readAll(new ByteArrayInputStream(original), KEY));

            mutateBlockStatistics(compressor, blocks);
            mutateBlockBodies(compressor, blocks);
            mutateBlockHeaders(original);
            mutateCompressedPayloads(original);
            mutateSegmentHeader(original);
            mutateFooterAndTrailer(original);
            flipAndTruncate(original);
        }
        // Both outcomes occur: the mutations reach past the checksums into the decoders.
        assertTrue(outcomes.getOrDefault(Outcome.CORRUPT, 0) > 1000, outcomes.toString());
        assertTrue(outcomes.getOrDefault(Outcome.READ, 0) > 10, outcomes.toString());
    }

    /** Blocks whose header statistics lie, written with every checksum right by the real writer. */
    private void mutateBlockStatistics(BlockCompressor compressor, List<RawBlock> blocks) {
        for (int b : new int[] {0, blocks.size() - 1}) {
            RawBlock block = blocks.get(b);
            for (long value : withNeighbours(EXTREMES, block.recordCount())) {
                int count = (int) value;
                writeAndRead(compressor, blocks, b, new RawBlock(block.data(), block.length(), count,
                        block.firstOffset(), block.lastOffset(), block.minTimestamp(), block.maxTimestamp()),
                        "block " + b + " record count " + count);
                // the same lie with offsets wide enough for it, so that only the byte count can give it away
                writeAndRead(compressor, blocks, b, new RawBlock(block.data(), block.length(), count,
                        block.firstOffset(), block.firstOffset() + Math.max(0, count - 1L), block.minTimestamp(),
                        block.maxTimestamp()), "block " + b + " record count " + count + " with offsets for them");
            }
            for (long value : withNeighbours(EXTREMES, block.firstOffset())) {
                writeAndRead(compressor, blocks, b, new RawBlock(block.data(), block.length(), block.recordCount(),
                        value, block.lastOffset(), block.minTimestamp(), block.maxTimestamp()),
                        "block " + b + " first offset " + value);
            }
            for (long value : withNeighbours(EXTREMES, block.lastOffset())) {
                writeAndRead(compressor, blocks, b, new RawBlock(block.data(), block.length(), block.recordCount(),
                        block.firstOffset(), value, block.minTimestamp(), block.maxTimestamp()),
                        "block " + b + " last offset " + value);
            }
            for (long value : withNeighbours(EXTREMES, block.minTimestamp())) {
                writeAndRead(compressor, blocks, b, new RawBlock(block.data(), block.length(), block.recordCount(),
                        block.firstOffset(), block.lastOffset(), value, block.maxTimestamp()),
                        "block " + b + " min timestamp " + value);
            }
            for (long value : withNeighbours(EXTREMES, block.maxTimestamp())) {
                writeAndRead(compressor, blocks, b, new RawBlock(block.data(), block.length(), block.recordCount(),
                        block.firstOffset(), block.lastOffset(), block.minTimestamp(), value),
                        "block " + b + " max timestamp " + value);
            }
        }
    }

    /**
     * Record encodings the decoder must refuse or read exactly: every byte of the first block set to boundary values,
     * replaced by extreme varints (lengths, deltas, counts), and the body cut or extended; compressed and
     * checksummed by the real writer, so the decoder sees them.
     */
    private void mutateBlockBodies(BlockCompressor compressor, List<RawBlock> blocks) {
        RawBlock block = blocks.get(0);
        byte[] body = Arrays.copyOf(block.data(), block.length());
        Consumer<byte[]> write = data -> writeAndRead(compressor, blocks, 0, new RawBlock(data, data.length,
                block.recordCount(), block.firstOffset(), block.lastOffset(), block.minTimestamp(),
                block.maxTimestamp()), "block 0 body " + describe(body, data));
        for (int position = 0; position < body.length; position++) {
            for (int value : new int[] {0x00, 0x80, 0xFF}) {
                byte[] data = body.clone();
                data[position] = (byte) value;
                write.accept(data);
            }
            for (long value : new long[] {-1, Long.MIN_VALUE, Integer.MAX_VALUE + 2L, SegmentFormat.MAX_BLOCK_BYTES}) {
                write.accept(splice(body, position, varint(value)));
            }
            write.accept(Arrays.copyOf(body, position));
        }
        write.accept(Arrays.copyOf(body, body.length + 1));
        byte[] unfinishedVarint = Arrays.copyOf(body, body.length + 9);
        Arrays.fill(unfinishedVarint, body.length, unfinishedVarint.length, (byte) 0x80);
        write.accept(unfinishedVarint);
    }

    /** Every field of every block header set to extreme values, with the header checksum made right again. */
    private void mutateBlockHeaders(byte[] segment) {
        for (BlockIndexEntry block : SegmentRoundTripTest.readFooter(segment).blocks()) {
            int start = (int) block.position();
            for (int[] field : BLOCK_HEADER_FIELDS) {
                for (long value : EXTREMES) {
                    byte[] mutated = segment.clone();
                    put(mutated, start + field[0], field[1], value);
                    fixCrc(mutated, start, SegmentFormat.BLOCK_HEADER_SIZE - 4);
                    readBothWays(mutated, "block at byte " + start + " header byte " + field[0] + " = " + value);
                }
            }
        }
    }

    /**
     * Every byte of each block's stored payload (the codec's frame) set to boundary values and flipped, with the
     * payload and header checksums made right again, so the decompressor itself meets the damage.
     */
    private void mutateCompressedPayloads(byte[] segment) {
        List<BlockIndexEntry> blocks = SegmentRoundTripTest.readFooter(segment).blocks();
        for (BlockIndexEntry block : List.of(blocks.get(0), blocks.get(blocks.size() - 1))) {
            int start = (int) block.position();
            int payload = start + SegmentFormat.BLOCK_HEADER_SIZE;
            int length = block.length() - SegmentFormat.BLOCK_HEADER_SIZE;
            for (int position = payload; position < payload + length; position++) {
                for (int change = 0; change < 3; change++) {
                    byte[] mutated = segment.clone();
                    mutated[position] = switch (change) {
                        case 0 -> 0;
                        case 1 -> (byte) 0xFF;
                        default -> (byte) (segment[position] ^ 0x10);
                    };
                    ByteBuffer.wrap(mutated).putInt(start + 46, crc(mutated, payload, length));
                    fixCrc(mutated, start, SegmentFormat.BLOCK_HEADER_SIZE - 4);
                    readBothWays(mutated, "block at byte " + start + " payload byte " + (position - payload)
                            + " changed (" + change + ")");
                }
            }
        }
    }

    private void mutateSegmentHeader(byte[] segment) {
        for (int[] field : SEGMENT_HEADER_FIELDS) {
            for (long value : EXTREMES) {
                byte[] mutated = segment.clone();
                put(mutated, field[0], field[1], value);
                fixCrc(mutated, 0, SegmentFormat.HEADER_SIZE - 4);
                readBothWays(mutated, "segment header byte " + field[0] + " = " + value);
            }
        }
    }

    /**
     * Every footer byte, and 4- and 8-byte windows at every footer offset (whatever its field layout), set to
     * extreme values with the footer checksum in the trailer made right again; then every trailer field.
     */
    private void mutateFooterAndTrailer(byte[] segment) {
        int trailer = segment.length - SegmentFormat.TRAILER_SIZE;
        ByteBuffer trailerFields = ByteBuffer.wrap(segment, trailer, SegmentFormat.TRAILER_SIZE);
        int footer = (int) trailerFields.getLong();
        int footerLength = trailerFields.getInt();
        for (int offset = 0; offset < footerLength; offset++) {
            for (int width : new int[] {1, 4, 8}) {
                if (offset + width > footerLength) {
                    continue;
                }
                for (long value : width == 1 ? new long[] {0, 0xFF} : new long[] {0, -1, Integer.MAX_VALUE,
                    Long.MIN_VALUE}) {
                    byte[] mutated = segment.clone();
                    put(mutated, footer + offset, width, value);
                    ByteBuffer.wrap(mutated).putInt(trailer + 12, crc(mutated, footer, footerLength));
                    readBothWays(mutated, "footer byte " + offset + " (" + width + " bytes) = " + value);
                }
            }
        }
        for (int[] field : TRAILER_FIELDS) {
            for (long value : EXTREMES) {
                byte[] mutated = segment.clone();
                put(mutated, trailer + field[0], field[1], value);
                readBothWays(mutated, "trailer byte " + field[0] + " = " + value);
            }
        }
    }

    /** Without repaired checksums every change is caught by the whole-object read. */
    private void flipAndTruncate(byte[] segment) {
        for (int position = 0; position < segment.length; position++) {
            byte[] flipped = segment.clone();
            flipped[position] ^= (byte) 0x80;
            assertEquals(Outcome.CORRUPT, readBothWays(flipped, "byte " + position + " flipped"));
        }
        for (int length = 0; length < segment.length; length++) {
            assertEquals(Outcome.CORRUPT, readBothWays(Arrays.copyOf(segment, length), "cut to " + length));
        }
        byte[] longer = Arrays.copyOf(segment, segment.length + 1);
        assertEquals(Outcome.CORRUPT, readBothWays(longer, "one byte appended"));
    }

    // ---- building segments ----

    /** Records with null keys and values, null header values, non-ASCII header keys, both timestamp types. */
    private static List<BackupRecord> records() {
        List<BackupRecord> records = new ArrayList<>();
        records.add(new BackupRecord(1000, 1_763_900_000_000L, TimestampKind.LOG_APPEND_TIME, null, null,
                List.of(new BackupHeader("ключ", null), BackupHeader.utf8("trace-id", ""))));
        records.add(new BackupRecord(1001, 1_763_899_000_000L, TimestampKind.CREATE_TIME, new byte[0],
                new byte[] {1, 2, 3}, List.of()));
        records.addAll(new RandomRecords(11, 48, 0).records(1003, 22));
        return records;
    }

    /** The records in five blocks, the first a small one whose every byte is mutated. */
    private static List<RawBlock> blocks(List<BackupRecord> records) {
        List<RawBlock> blocks = new ArrayList<>();
        BlockEncoder encoder = new BlockEncoder();
        for (int i = 0; i < records.size(); i++) {
            encoder.append(records.get(i));
            if (i == 3 || i == records.size() - 1 || (i > 3 && i % 6 == 0)) {
                RawBlock sealed = encoder.seal();
                blocks.add(new RawBlock(Arrays.copyOf(sealed.data(), sealed.length()), sealed.length(),
                        sealed.recordCount(), sealed.firstOffset(), sealed.lastOffset(), sealed.minTimestamp(),
                        sealed.maxTimestamp()));
            }
        }
        return blocks;
    }

    private static byte[] write(BlockCompressor compressor, List<RawBlock> blocks) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        SegmentWriter writer = new SegmentWriter(KEY, "orders", 0, compressor, out, SegmentFormat.DEFAULT_BLOCK_BYTES);
        blocks.forEach(writer::writeBlock);
        writer.finish();
        return out.toByteArray();
    }

    /** Writes the segment with block {@code index} replaced, if the writer accepts it, and reads it both ways. */
    private void writeAndRead(BlockCompressor compressor, List<RawBlock> blocks, int index, RawBlock replacement,
                              String what) {
        List<RawBlock> mutated = new ArrayList<>(blocks);
        mutated.set(index, replacement);
        byte[] segment;
        try {
            segment = write(compressor, mutated);
        } catch (IllegalArgumentException refusedByTheWriter) {
            return; // offsets that do not increase never reach storage
        }
        readBothWays(segment, what);
    }

    // ---- reading ----

    /**
     * Reads the segment whole and through its footer with ranged reads: the first block to the last as a restore
     * does, and the last block through the footer. Fails the test on any outcome but a read or a corruption.
     */
    private Outcome readBothWays(byte[] segment, String what) {
        store.bytes = segment;
        long allocatedBefore = allocatedBytes();
        Outcome outcome;
        try {
            outcome = readWhole(segment.length);
            if (outcome == Outcome.READ) {
                readRanged(segment.length);
            }
        } catch (CorruptSegmentException e) {
            assertEquals(KEY, e.segment(), e.getMessage());
            outcome = Outcome.CORRUPT;
        } catch (OutOfMemoryError e) {
            throw new AssertionError(what + ": ran out of memory: " + e, e);
        } catch (RuntimeException | Error e) {
            throw new AssertionError(what + ": expected CorruptSegmentException, got " + e, e);
        }
        if (outcome == Outcome.CORRUPT) {
            // a segment the whole read refuses may still have a readable footer: the ranged path must cope too
            try {
                readRanged(segment.length);
            } catch (CorruptSegmentException e) {
                assertEquals(KEY, e.segment(), e.getMessage());
            } catch (OutOfMemoryError e) {
                throw new AssertionError(what + " (ranged read): ran out of memory: " + e, e);
            } catch (RuntimeException | Error e) {
                throw new AssertionError(what + " (ranged read): expected CorruptSegmentException, got " + e, e);
            }
        }
        long allocated = allocatedBytes() - allocatedBefore;
        assertTrue(allocated < ALLOCATION_LIMIT, what + ": reading " + segment.length + " bytes allocated "
                + allocated + " bytes");
        outcomes.merge(outcome, 1, Integer::sum);
        return outcome;
    }

    private Outcome readWhole(long size) {
        try (SegmentReader reader = new StoredSegment(store, KEY, size).openWhole()) {
            while (reader.nextBlock() != null) {
                reader.records();
            }
            reader.footer();
        }
        return Outcome.READ;
    }

    private void readRanged(long size) {
        SegmentFooter footer = new StoredSegment(store, KEY, size).footer();
        int last = footer.blocks().size() - 1;
        if (last < 0) {
            return;
        }
        BlockIndexEntry lastBlock = footer.blocks().get(last);
        long end = lastBlock.position() + lastBlock.length();
        try (SegmentReader reader = SegmentReader.openAtBlock(
                store.readRange(KEY, footer.blocks().get(0).position(), end), KEY, footer, 0)) {
            for (int block = 0; block <= last && reader.nextBlock() != null; block++) {
                reader.records();
            }
        }
        try (SegmentReader reader = SegmentReader.openAtBlock(store.readRange(KEY, lastBlock.position(), size), KEY,
                footer, last)) {
            while (reader.nextBlock() != null) {
                reader.records();
            }
            reader.footer();
        }
    }

    private static long allocatedBytes() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }

    /** The mutated segment as the only object of a store, read through the same calls a restore makes. */
    private static final class OneObjectStore implements ObjectStore {
        byte[] bytes;

        @Override
        public String describe() {
            return "memory://fuzz";
        }

        @Override
        public InputStream read(String key) {
            return new ByteArrayInputStream(object(key));
        }

        @Override
        public InputStream readRange(String key, long start, long endExclusive) {
            byte[] object = object(key);
            if (start < 0 || endExclusive < start || start >= object.length) {
                throw new IllegalArgumentException("Invalid range [" + start + ", " + endExclusive + ") of " + key
                        + " (" + object.length + " bytes)");
            }
            return new ByteArrayInputStream(object, (int) start, (int) (Math.min(endExclusive, object.length) - start));
        }

        @Override
        public Optional<ObjectInfo> stat(String key) {
            return Optional.of(new ObjectInfo(key, object(key).length, 0, "v"));
        }

        @Override
        public Optional<byte[]> readIfExists(String key) {
            return Optional.of(object(key).clone());
        }

        private byte[] object(String key) {
            assertEquals(KEY, key);
            return bytes;
        }

        @Override
        public ObjectUpload startUpload(String key, WriteMode mode) {
            throw new UnsupportedOperationException("read-only");
        }

        @Override
        public void put(String key, byte[] bytes, WriteMode mode) {
            throw new UnsupportedOperationException("read-only");
        }

        @Override
        public Iterator<ObjectInfo> list(String prefix, String startAfter) {
            throw new UnsupportedOperationException("read-only");
        }

        @Override
        public List<String> listFolders(String prefix) {
            throw new UnsupportedOperationException("read-only");
        }

        @Override
        public void delete(String key) {
            throw new UnsupportedOperationException("read-only");
        }

        @Override
        public void close() {
        }
    }

    // ---- byte surgery ----

    private static long[] withNeighbours(long[] values, long original) {
        long[] all = Arrays.copyOf(values, values.length + 2);
        all[values.length] = original - 1;
        all[values.length + 1] = original + 1;
        return all;
    }

    /** Writes the low {@code width} bytes of {@code value}, big-endian, at {@code offset}. */
    private static void put(byte[] bytes, int offset, int width, long value) {
        for (int i = width - 1; i >= 0; i--) {
            bytes[offset + i] = (byte) value;
            value >>>= 8;
        }
    }

    private static void fixCrc(byte[] bytes, int offset, int length) {
        ByteBuffer.wrap(bytes).putInt(offset + length, crc(bytes, offset, length));
    }

    private static int crc(byte[] bytes, int offset, int length) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, offset, length);
        return (int) crc.getValue();
    }

    private static byte[] varint(long value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while ((value & ~0x7FL) != 0) {
            out.write((int) ((value & 0x7F) | 0x80));
            value >>>= 7;
        }
        out.write((int) value);
        return out.toByteArray();
    }

    /** {@code body} with the byte at {@code position} replaced by {@code replacement}. */
    private static byte[] splice(byte[] body, int position, byte[] replacement) {
        byte[] result = new byte[body.length - 1 + replacement.length];
        System.arraycopy(body, 0, result, 0, position);
        System.arraycopy(replacement, 0, result, position, replacement.length);
        System.arraycopy(body, position + 1, result, position + replacement.length, body.length - position - 1);
        return result;
    }

    private static String describe(byte[] original, byte[] mutated) {
        int first = 0;
        while (first < Math.min(original.length, mutated.length) && original[first] == mutated[first]) {
            first++;
        }
        return "of " + original.length + " bytes changed from byte " + first + " (now " + mutated.length + " bytes)";
    }
}
