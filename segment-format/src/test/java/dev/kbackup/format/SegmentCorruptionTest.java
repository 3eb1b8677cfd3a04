package dev.kbackup.format;

import dev.kbackup.testing.RandomRecords;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.zip.CRC32C;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

class SegmentCorruptionTest {

    private static final String NAME = "backups/b1/topics/orders/partition=3/segment-00000000000000000100.zst";

    @ParameterizedTest
    @EnumSource(Codec.class)
    void everyFlippedBitIsReportedAsCorruption(Codec codec) {
        byte[] segment = segment(codec, 60, 512);
        Random random = new Random(42);
        int checked = 0;
        for (int position = 0; position < segment.length; position++) {
            // Every byte of small segments, a random bit of each; the layout's every field is covered.
            byte[] corrupt = segment.clone();
            corrupt[position] ^= (byte) (1 << random.nextInt(8));
            CorruptSegmentException e = assertCorrupt(corrupt, "flipped a bit at byte " + position);
            assertTrue(e.getMessage().contains(NAME), e.getMessage());
            checked++;
        }
        assertEquals(segment.length, checked);
    }

    @ParameterizedTest
    @EnumSource(Codec.class)
    void everyTruncationIsReportedWithItsPosition(Codec codec) {
        byte[] segment = segment(codec, 40, 400);
        for (int length = 0; length < segment.length; length++) {
            CorruptSegmentException e = assertCorrupt(Arrays.copyOf(segment, length), "truncated to " + length);
            assertTrue(e.position() <= length, "position " + e.position() + " is within the " + length + " bytes");
        }
    }

    @Test
    void truncationAtABlockBoundaryNamesTheMissingFooter() {
        byte[] segment = segment(Codec.ZSTD, 200, 1024);
        SegmentFooter footer = SegmentRoundTripTest.readFooter(segment);
        for (BlockIndexEntry block : footer.blocks()) {
            int cut = (int) (block.position() + block.length());
            CorruptSegmentException e = assertCorrupt(Arrays.copyOf(segment, cut), "cut after a block");
            assertEquals(cut, e.position());
            assertTrue(e.getMessage().contains("truncated"), e.getMessage());
        }
    }

    @Test
    void bytesAfterTheTrailerAreRefused() {
        byte[] segment = segment(Codec.LZ4, 10, 1024);
        byte[] longer = Arrays.copyOf(segment, segment.length + 1);
        CorruptSegmentException e = assertCorrupt(longer, "one byte appended");
        assertTrue(e.getMessage().contains("after the trailer"), e.getMessage());
    }

    @Test
    void unknownVersionIsRefusedNamingTheVersionFoundAndWhatToDo() {
        for (int version : new int[] {SegmentFormat.VERSION - 1, SegmentFormat.ENCRYPTED_VERSION + 1}) {
            byte[] segment = segment(Codec.ZSTD, 5, 1024);
            ByteBuffer header = ByteBuffer.wrap(segment);
            header.putShort(4, (short) version);
            CRC32C crc = new CRC32C();
            crc.update(segment, 0, 8);
            header.putInt(8, (int) crc.getValue());
            CorruptSegmentException e = assertCorrupt(segment, "version " + version);
            assertTrue(e.getMessage().contains("segment format version " + version + " in the header; this reader "
                    + "reads versions " + SegmentFormat.VERSION + " and " + SegmentFormat.ENCRYPTED_VERSION),
                    e.getMessage());
            assertTrue(e.getMessage().contains(version > SegmentFormat.VERSION ? "upgrade" : "older"), e.getMessage());
            assertEquals(4, e.position());
        }
    }

    @Test
    void wrongMagicSaysItIsNotASegment() {
        byte[] notASegment = "{\"this\":\"is json, not a segment\"}".getBytes();
        CorruptSegmentException e = assertCorrupt(notASegment, "json");
        assertTrue(e.getMessage().contains("not a kbackup segment"), e.getMessage());
    }

    @Test
    void hostileLengthsWithValidChecksumsFailWithoutAllocatingThem() {
        byte[] segment = segment(Codec.NONE, 3, 1024);
        int block = SegmentFormat.HEADER_SIZE;
        for (int[] lengths : new int[][] {{Integer.MAX_VALUE, Integer.MAX_VALUE}, {200 << 20, 200 << 20},
            {-5, -5}}) {
            byte[] hostile = segment.clone();
            ByteBuffer buffer = ByteBuffer.wrap(hostile);
            buffer.putInt(block + 6, lengths[0]);
            buffer.putInt(block + 10, lengths[1]);
            CRC32C crc = new CRC32C();
            crc.update(hostile, block, SegmentFormat.BLOCK_HEADER_SIZE - 4);
            buffer.putInt(block + SegmentFormat.BLOCK_HEADER_SIZE - 4, (int) crc.getValue());
            CorruptSegmentException e = assertCorrupt(hostile, "lengths " + Arrays.toString(lengths));
            assertEquals(0, e.block());
        }
    }

    @Test
    void aRecordCountTheBlockCannotHoldIsRefusedBeforeAllocatingForIt() {
        // Every checksum is right: the writer itself stores a block header claiming 2^31-1 records in a few bytes.
        List<BackupRecord> records = new RandomRecords(3, 64, 0).records(100, 5);
        BlockEncoder encoder = new BlockEncoder();
        records.forEach(encoder::append);
        RawBlock real = encoder.seal();
        RawBlock hostile = new RawBlock(real.data(), real.length(), Integer.MAX_VALUE, real.firstOffset(),
                real.firstOffset() + Integer.MAX_VALUE, real.minTimestamp(), real.maxTimestamp());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        SegmentWriter writer = new SegmentWriter(NAME, "orders", 3, Codec.NONE.newCompressor(0), out, 1024);
        writer.writeBlock(hostile);
        writer.finish();

        CorruptSegmentException e = assertCorrupt(out.toByteArray(), "record count 2^31-1");
        assertEquals(0, e.block());
        assertEquals(SegmentFormat.HEADER_SIZE, e.position());
        assertTrue(e.getMessage().contains("record count 2147483647 cannot fit in " + real.length()), e.getMessage());
    }

    @Test
    void recordLengthsBeyondTheBlockAreCaughtByTheDecoder() {
        BlockHeader header = new BlockHeader(Codec.NONE, 1, 4, 4, 0, 0, 0, 0, 0);
        byte[] body = {0, 0, 0, (byte) 0xFF};
        CorruptSegmentException e = assertThrows(CorruptSegmentException.class,
                () -> BlockDecoder.decode(NAME, 0, 12, header, body));
        assertTrue(e.getMessage().contains("varint") || e.getMessage().contains("ends early"), e.getMessage());
    }

    private static CorruptSegmentException assertCorrupt(byte[] bytes, String what) {
        try {
            List<BackupRecord> records = SegmentReader.readAll(new ByteArrayInputStream(bytes), NAME);
            fail(what + ": read " + records.size() + " records without noticing");
            return null;
        } catch (CorruptSegmentException e) {
            return e;
        } catch (RuntimeException | Error e) {
            throw new AssertionError(what + ": expected CorruptSegmentException, got " + e, e);
        }
    }

    private static byte[] segment(Codec codec, int records, int blockSize) {
        List<BackupRecord> list = new RandomRecords(9, 64, 0).records(100, records);
        return SegmentRoundTripTest.write(codec, list, blockSize).bytes();
    }
}
