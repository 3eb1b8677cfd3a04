package dev.kbackup.bench;

import dev.kbackup.bench.codec.CodecBenchmarks;
import dev.kbackup.bench.codec.CompressionReference;
import dev.kbackup.bench.data.DataFile;
import dev.kbackup.bench.data.DataSet;
import dev.kbackup.format.BackupRecord;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The benchmark harness runs and its figures make sense; how fast anything is, is not asserted. */
class CodecBenchmarksSmokeTest {

    @Test
    void generatedDataSetsHaveTheAdvertisedShape() {
        List<BackupRecord> orders = DataFile.generate(DataSet.JSON, 1, 2_000_000);
        double averageOrder = orders.stream().mapToLong(BackupRecord::payloadBytes).average().orElseThrow();
        assertTrue(averageOrder > 950 && averageOrder < 1300, "order events average " + averageOrder + " bytes");
        assertTrue(orders.stream().allMatch(r -> r.headers().size() == 2 && r.key() != null));
        assertEquals(orders, DataFile.generate(DataSet.JSON, 1, 2_000_000), "the same seed gives the same records");

        List<BackupRecord> binary = DataFile.generate(DataSet.BINARY, 1, 2_000_000);
        double averageBinary = binary.stream().mapToLong(BackupRecord::payloadBytes).average().orElseThrow();
        assertTrue(averageBinary > 950 && averageBinary < 1200, "binary records average " + averageBinary + " bytes");
    }

    @Test
    void compressionReferenceSeesJsonShrinkAndBinaryNot() {
        CompressionReference json = new CompressionReference(3);
        DataFile.generate(DataSet.JSON, 1, 4_000_000).forEach(json::add);
        CompressionReference.Result orders = json.finish();
        assertTrue(orders.oneFrameRatio() > 3, "JSON one-frame ratio " + orders.oneFrameRatio());
        assertTrue(orders.segmentToOneFrame() > 0.5 && orders.segmentToOneFrame() <= 1.05,
                "segment vs one frame " + orders.segmentToOneFrame());

        CompressionReference random = new CompressionReference(3);
        DataFile.generate(DataSet.BINARY, 1, 4_000_000).forEach(random::add);
        CompressionReference.Result binary = random.finish();
        assertTrue(binary.segmentRatio() > 0.9 && binary.segmentRatio() < 1.1, "binary ratio "
                + binary.segmentRatio());
    }

    @Test
    void jmhHarnessProducesAFigureForEveryDataSetCodecAndOperation() throws Exception {
        List<CodecBenchmarks.Row> rows = CodecBenchmarks.run(CodecBenchmarks.Settings.smoke());
        assertEquals(6, rows.size());
        for (CodecBenchmarks.Row row : rows) {
            String where = row.dataSet() + "/" + row.codec() + ": " + row;
            assertTrue(row.rawCompressMBps() > 0 && row.segmentEncodeMBps() > 0, where);
            assertTrue(row.rawDecompressMBps() > 0 && row.segmentDecodeMBps() > 0, where);
            assertTrue(row.encodeToRaw() > 0 && Double.isFinite(row.decodeToRaw()), where);
            if (row.dataSet().equals("json") && !row.codec().equals("none")) {
                assertTrue(row.segmentCompressionRatio() > 2, where);
            } else {
                assertTrue(row.segmentCompressionRatio() > 0.9 && row.segmentCompressionRatio() < 1.1, where);
            }
        }
    }
}
