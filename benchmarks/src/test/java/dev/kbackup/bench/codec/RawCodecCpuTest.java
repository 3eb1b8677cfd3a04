package dev.kbackup.bench.codec;

import dev.kbackup.bench.data.DataFile;
import dev.kbackup.bench.data.DataSet;
import dev.kbackup.format.BackupRecord;
import dev.kbackup.format.Codec;
import dev.kbackup.format.SegmentFormat;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The raw codec's CPU is measured over the data set's blocks as a segment cuts them; no timing is asserted. */
class RawCodecCpuTest {

    @Test
    void compressesAndDecompressesEveryBlockOfTheRecordsGiven() {
        List<BackupRecord> records = DataFile.generate(DataSet.JSON, 1, 4_000_000);
        CodecSample sample = CodecSample.of(records, SegmentFormat.DEFAULT_BLOCK_BYTES);

        RawCodecCpu.Result result;
        try (RawCodecCpu cpu = new RawCodecCpu(Codec.ZSTD, 3)) {
            records.forEach(cpu.sink());
            result = cpu.finish();
        }

        assertEquals(records.stream().mapToLong(BackupRecord::payloadBytes).sum(), result.payloadBytes());
        assertEquals(sample.encodedBytes(), result.encodedBytes(), "the same blocks as a segment's");
        assertEquals(sample.blockCount(), result.blocks());
        assertTrue(result.compressedBytes() * 3 < result.encodedBytes(), "json shrinks: " + result);
        assertTrue(result.compressCpuSeconds() >= 0 && result.decompressCpuSeconds() >= 0, result.toString());
    }
}
