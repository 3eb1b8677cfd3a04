package dev.kbackup.format;

import dev.kbackup.testing.RandomRecords;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.zip.CRC32C;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SegmentRoundTripTest {

    private static final int[] BLOCK_SIZES = {1, 700, 16 * 1024, SegmentFormat.DEFAULT_BLOCK_BYTES};

    @ParameterizedTest
    @EnumSource(Codec.class)
    void randomSegmentsReadBackExactlyAsWritten(Codec codec) {
        for (long seed = 1; seed <= 40; seed++) {
            Random random = new Random(seed);
            int count = 1 + random.nextInt(random.nextInt(10) == 0 ? 5000 : 300);
            List<BackupRecord> records = new RandomRecords(seed).records(random.nextInt(1_000_000), count);
            int blockSize = BLOCK_SIZES[random.nextInt(BLOCK_SIZES.length)];

            Written written = write(codec, records, blockSize);
            List<BackupRecord> read = SegmentReader.readAll(new ByteArrayInputStream(written.bytes), "seed-" + seed);

            assertEquals(records, read, "codec " + codec + ", seed " + seed + ", block size " + blockSize);
            assertInfoDescribes(written, records, codec);
        }
    }

    @ParameterizedTest
    @EnumSource(Codec.class)
    void multiMegabyteAndZeroByteRecordsRoundTrip(Codec codec) {
        List<BackupRecord> records = new RandomRecords(7, 0, 0.5).records(0, 12);
        Written written = write(codec, records, SegmentFormat.DEFAULT_BLOCK_BYTES);
        assertEquals(records, SegmentReader.readAll(new ByteArrayInputStream(written.bytes), "huge"));
        assertTrue(written.info.uncompressedBytes() > 5 << 20, "the data set holds several multi-MB values");
    }

    @org.junit.jupiter.api.Test
    void blocksStoredAsTheyAreAndCompressedBlocksReadBackInAnyOrder() {
        // runs of zeros compress; random bytes do not, and are stored as they are (decoded where they were read)
        Random random = new Random(5);
        List<BackupRecord> records = new ArrayList<>();
        int[] valueSizes = {30_000, 9_000, 60_000, 2_000, 45_000, 500, 70_000};
        for (int i = 0; i < 70; i++) {
            byte[] value = new byte[valueSizes[i % valueSizes.length]];
            if ((i / 10) % 2 == 1) {
                random.nextBytes(value);
            }
            records.add(new BackupRecord(i, 1_000 + i, TimestampKind.CREATE_TIME, ("k" + i).getBytes(), value,
                    List.of(BackupHeader.utf8("h", "v" + i))));
        }
        Written written = write(Codec.ZSTD, records, 64 * 1024);

        List<BackupRecord> read = new ArrayList<>();
        java.util.Set<Codec> blockCodecs = java.util.EnumSet.noneOf(Codec.class);
        try (SegmentReader reader = SegmentReader.open(new ByteArrayInputStream(written.bytes), "mixed")) {
            for (BlockHeader header = reader.nextBlock(); header != null; header = reader.nextBlock()) {
                blockCodecs.add(header.codec());
                read.addAll(reader.records());
            }
        }
        assertEquals(java.util.EnumSet.of(Codec.ZSTD, Codec.NONE), blockCodecs);
        assertEquals(records, read);
    }

    @ParameterizedTest
    @EnumSource(Codec.class)
    void blocksEncodedElsewhereWriteTheSameBytesAsAppend(Codec codec) {
        List<BackupRecord> records = new RandomRecords(11).records(500, 400);
        Written appended = write(codec, records, 8 * 1024);

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (BlockCompressor compressor = codec.newCompressor(3)) {
            SegmentWriter writer = new SegmentWriter("blocks", "orders", 3, compressor, out, 8 * 1024);
            BlockEncoder encoder = new BlockEncoder();
            for (BackupRecord record : records) {
                encoder.append(record);
                if (encoder.sizeInBytes() >= 8 * 1024) {
                    writer.writeBlock(encoder.seal());
                }
            }
            writer.writeBlock(encoder.seal());
            writer.finish();
        }
        assertEquals(java.util.HexFormat.of().formatHex(appended.bytes),
                java.util.HexFormat.of().formatHex(out.toByteArray()));
    }

    @ParameterizedTest
    @EnumSource(Codec.class)
    void readingFromAnyBlockYieldsTheRestOfTheSegment(Codec codec) {
        List<BackupRecord> records = new RandomRecords(3).records(10_000, 2000);
        Written written = write(codec, records, 4096);
        SegmentFooter footer;
        try (SegmentReader reader = SegmentReader.open(new ByteArrayInputStream(written.bytes), "s")) {
            while (reader.nextBlock() != null) {
                reader.records();
            }
            footer = reader.footer();
            CRC32C crc = new CRC32C();
            crc.update(written.bytes);
            assertEquals(crc.getValue(), reader.bytesChecksum());
        }
        assertTrue(footer.blocks().size() > 20);
        for (int block = 0; block < footer.blocks().size(); block += 7) {
            BlockIndexEntry entry = footer.blocks().get(block);
            ByteArrayInputStream tail = new ByteArrayInputStream(written.bytes, (int) entry.position(),
                    written.bytes.length - (int) entry.position());
            List<BackupRecord> read = new ArrayList<>();
            try (SegmentReader reader = SegmentReader.openAtBlock(tail, "s", footer, block)) {
                while (reader.nextBlock() != null) {
                    read.addAll(reader.records());
                }
                assertNull(reader.nextBlock());
            }
            int firstIndex = indexOfOffset(records, entry.firstOffset());
            assertEquals(records.subList(firstIndex, records.size()), read, "from block " + block);
        }
    }

    @ParameterizedTest
    @EnumSource(Codec.class)
    void footerIndexFindsTheFirstAndLastBlockForAnOffsetOrTime(Codec codec) {
        List<BackupRecord> records = new RandomRecords(5).records(0, 3000);
        Written written = write(codec, records, 2048);
        SegmentFooter footer = readFooter(written.bytes);

        for (int i = 0; i < records.size(); i += 97) {
            BackupRecord wanted = records.get(i);
            int block = footer.firstCandidateBlock(wanted.offset(), TimeWindow.ALL);
            BlockIndexEntry entry = footer.blocks().get(block);
            assertTrue(entry.firstOffset() <= wanted.offset() && wanted.offset() <= entry.lastOffset());

            TimeWindow window = new TimeWindow(wanted.timestamp(), wanted.timestamp() + 1);
            int timeBlock = footer.firstCandidateBlock(0, window);
            for (int earlier = 0; earlier < timeBlock; earlier++) {
                BlockIndexEntry skipped = footer.blocks().get(earlier);
                assertTrue(!window.overlaps(skipped.minTimestamp(), skipped.maxTimestamp()));
            }
            assertTrue(timeBlock >= 0 && timeBlock <= block(footer, wanted.offset()));

            int lastTimeBlock = footer.lastCandidateBlock(0, window);
            assertTrue(lastTimeBlock >= block(footer, wanted.offset()), "the block holding the record is included");
            for (int later = lastTimeBlock + 1; later < footer.blocks().size(); later++) {
                BlockIndexEntry skipped = footer.blocks().get(later);
                assertTrue(!window.overlaps(skipped.minTimestamp(), skipped.maxTimestamp()));
            }
        }
        assertEquals(footer.blocks().size() - 1, footer.lastCandidateBlock(0, TimeWindow.ALL));
        assertEquals(-1, footer.firstCandidateBlock(records.get(records.size() - 1).offset() + 1, TimeWindow.ALL));
        assertEquals(-1, footer.lastCandidateBlock(records.get(records.size() - 1).offset() + 1, TimeWindow.ALL));
    }

    private static int block(SegmentFooter footer, long offset) {
        for (int i = 0; i < footer.blocks().size(); i++) {
            if (footer.blocks().get(i).lastOffset() >= offset) {
                return i;
            }
        }
        return -1;
    }

    private static int indexOfOffset(List<BackupRecord> records, long offset) {
        for (int i = 0; i < records.size(); i++) {
            if (records.get(i).offset() == offset) {
                return i;
            }
        }
        throw new AssertionError("no record at offset " + offset);
    }

    static SegmentFooter readFooter(byte[] bytes) {
        return readFooter(bytes, EncryptionKeys.NONE);
    }

    static SegmentFooter readFooter(byte[] bytes, EncryptionKeys keys) {
        try (SegmentReader reader = SegmentReader.open(new ByteArrayInputStream(bytes), "s", keys)) {
            while (reader.nextBlock() != null) {
                continue;
            }
            return reader.footer();
        }
    }

    private static void assertInfoDescribes(Written written, List<BackupRecord> records, Codec codec) {
        SegmentInfo info = written.info;
        assertEquals(codec, info.codec());
        assertEquals(records.size(), info.recordCount());
        assertEquals(records.get(0).offset(), info.firstOffset());
        assertEquals(records.get(records.size() - 1).offset(), info.lastOffset());
        assertEquals(records.stream().mapToLong(BackupRecord::timestamp).min().orElseThrow(), info.minTimestamp());
        assertEquals(records.stream().mapToLong(BackupRecord::timestamp).max().orElseThrow(), info.maxTimestamp());
        assertEquals(written.bytes.length, info.sizeBytes());
        CRC32C crc = new CRC32C();
        crc.update(written.bytes);
        assertEquals(crc.getValue(), info.crc32c());
    }

    record Written(byte[] bytes, SegmentInfo info) {
    }

    static Written write(Codec codec, List<BackupRecord> records, int blockSize) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (BlockCompressor compressor = codec.newCompressor(Codec.ZSTD_DEFAULT_LEVEL)) {
            SegmentWriter writer = new SegmentWriter("test-segment", "orders", 3, compressor, out, blockSize);
            records.forEach(writer::append);
            SegmentInfo info = writer.finish();
            return new Written(out.toByteArray(), info);
        }
    }
}
