package dev.kbackup.format;

import dev.kbackup.testing.RandomRecords;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A segment records the offset it continues from, so a reader can tell a real gap from a missing segment. */
class SegmentCoversFromTest {

    private final List<BackupRecord> records = new RandomRecords(5).records(100, 50);

    @Test
    void theFooterAndTheInfoSayWhereTheSegmentContinuesFrom() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        SegmentInfo info = write(out, 90);

        assertEquals(90, info.coversFrom());
        assertEquals(100, info.firstOffset());
        assertEquals(90, footerOf(out.toByteArray()).coversFrom());
    }

    @Test
    void aSegmentWrittenWithoutAPredecessorCoversFromItsFirstRecord() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertEquals(100, write(out, -1).coversFrom());
        assertEquals(100, footerOf(out.toByteArray()).coversFrom());
    }

    @Test
    void aRecordBelowTheOffsetTheSegmentContinuesFromIsRefused() {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> write(new ByteArrayOutputStream(), 101));
        assertTrue(error.getMessage().contains("below offset 101"), error.getMessage());
    }

    @Test
    void aFooterThatClaimsToCoverPastItsFirstOffsetIsCorrupt() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        write(out, 100);
        SegmentFooter real = footerOf(out.toByteArray());
        SegmentFooter forged = new SegmentFooter(real.topic(), real.partition(), real.codec(), real.recordCount(),
                real.firstOffset(), real.lastOffset(), real.minTimestamp(), real.maxTimestamp(),
                real.uncompressedBytes(), real.firstOffset() + 1, real.blocks());
        byte[] bytes = FooterCodec.encode(forged);
        BlockIndexEntry last = real.blocks().get(real.blocks().size() - 1);
        long position = last.position() + last.length();

        CorruptSegmentException error = assertThrows(CorruptSegmentException.class, () -> FooterCodec.parse("forged",
                bytes, 0, bytes.length, position, FooterCodec.crc(bytes, 0, bytes.length)));
        assertTrue(error.getMessage().contains("covers offsets from 101"), error.getMessage());
    }

    private SegmentInfo write(ByteArrayOutputStream out, long coversFrom) {
        try (BlockCompressor compressor = Codec.ZSTD.newCompressor(3)) {
            SegmentWriter writer = new SegmentWriter("s", "orders", 0, compressor, out, 1024, coversFrom);
            records.forEach(writer::append);
            return writer.finish();
        }
    }

    private static SegmentFooter footerOf(byte[] segment) {
        try (SegmentReader reader = SegmentReader.open(new ByteArrayInputStream(segment), "s")) {
            while (reader.nextBlock() != null) {
                reader.records();
            }
            return reader.footer();
        }
    }
}
