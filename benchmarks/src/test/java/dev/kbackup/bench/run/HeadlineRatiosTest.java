package dev.kbackup.bench.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kbackup.bench.cluster.ProcessCpu;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The headline ratios from figures whose ratios are worked out by hand; nothing here is timed. */
class HeadlineRatiosTest {

    private static final long GB = 1_000_000_000L;
    private static final long MIB = Report.MIB;

    @Test
    void cpuRatiosDivideTheConnectorsCpuByTheCeilingPlusTheRawCodec() {
        HeadlineRatios ratios = evaluated(measuredRun()).ratios;

        // json, 2 GB: backup 9.0 s = 4.5 s/GB; null sink 2.0 and 3.0 s = 1.0 and 1.5, mean 1.25; raw zstd 3.5 s = 1.75
        assertEquals(4.5 / (1.25 + 1.75), ratios.backupCpuRatio().get("json"), 1e-9);
        // binary, 1 GB: backup 3.0 s/GB; null sink 1.2; raw zstd 0.3
        assertEquals(3.0 / (1.2 + 0.3), ratios.backupCpuRatio().get("binary"), 1e-9);
        // json: restore 7.0 s = 3.5 s/GB; producer 6.0 s = 3.0 s/GB (not the process's 6.4); decompression 1.0 s = 0.5
        assertEquals(3.5 / (3.0 + 0.5), ratios.restoreCpuRatio().get("json"), 1e-9);
        assertFalse(ratios.restoreCpuRatio().containsKey("binary"), "binary was not restored");

        HeadlineRatios.CpuTerms json = ratios.cpuSecondsPerGb().get("json");
        assertEquals(new HeadlineRatios.CpuTerms(4.5, 1.25, 1.75, 3.5, 3.0, 0.5, 0.45, 0.125, 0.35), json);
    }

    @Test
    void theDiagnosticRatioTakesTheWorkersJitCompilerThreadsOutOfBothWorkerTerms() {
        HeadlineRatios ratios = evaluated(measuredRun()).ratios;

        // json: JIT is a tenth of each worker figure: backup 0.45 s/GB, null sink 0.1 and 0.15, mean 0.125
        assertEquals((4.5 - 0.45) / (1.25 - 0.125 + 1.75), ratios.backupCpuRatioExcludingJit().get("json"), 1e-3);
        assertEquals(1.5, ratios.backupCpuRatio().get("json"), 1e-9, "the headline keeps the JIT");
        // json restore: 3.5 s/GB of which JIT 0.35; producer 3.0 and decompression 0.5 keep theirs
        assertEquals((3.5 - 0.35) / (3.0 + 0.5), ratios.restoreCpuRatioExcludingJit().get("json"), 1e-3);
    }

    @Test
    void throughputRatiosCompareTheZstdBackupWithTheMeanNullSinkAndTheRestoreWithTheProducer() {
        HeadlineRatios ratios = evaluated(measuredRun()).ratios;

        assertEquals(250.0 / ((400 + 600) / 2.0), ratios.backupThroughputRatio().get("json"), 1e-9,
                "the lz4 backup is not the headline");
        assertEquals(150.0 / 200, ratios.restoreThroughputRatio().get("json"), 1e-9);
    }

    @Test
    void manyPartitionsFiguresComeFromTheScaleRunItsMemoryPassAndItsRestore() {
        HeadlineRatios ratios = evaluated(measuredRun()).ratios;

        assertEquals(50.0 / 200, ratios.manyPartitionsThroughputRatio(), 1e-9);
        assertEquals(100.0, ratios.manyPartitionsLiveHeapMiB());
        assertEquals(32.0, ratios.manyPartitionsBudgetMiB());
        assertEquals(68.0, ratios.manyPartitionsHeapOverBudgetMiB());
        assertEquals(Boolean.TRUE, ratios.manyPartitionsRestoreCompleted());
        assertEquals(300.0, ratios.manyPartitionsRestoreLiveHeapMiB());
        assertEquals("1g", ratios.manyPartitionsRestoreWorkerHeap());
    }

    @Test
    void aScaleRestoreThatFailedIsReportedAsNotCompletedWithItsError() {
        Report report = measuredRun();
        report.scaleRestore.clear();
        report.scaleRestoreError = "java.lang.IllegalStateException: Task 0 of restore-scale-restored-json failed";

        HeadlineRatios ratios = evaluated(report).ratios;

        assertEquals(Boolean.FALSE, ratios.manyPartitionsRestoreCompleted());
        assertEquals(report.scaleRestoreError, ratios.manyPartitionsRestoreError());
        assertNull(ratios.manyPartitionsRestoreLiveHeapMiB());
        assertTrue(report.targets.stream().anyMatch(t -> t.name().equals("many partitions, restore completes")
                && Boolean.FALSE.equals(t.pass())));
    }

    @Test
    void figuresARunDidNotMeasureAreLeftOut() {
        Report report = measuredRun();
        report.restore.clear();
        report.scale.clear();
        report.memory.clear();
        report.scaleRestore.clear();

        HeadlineRatios ratios = evaluated(report).ratios;

        assertTrue(ratios.restoreCpuRatio().isEmpty());
        assertEquals(1.5, ratios.backupCpuRatio().get("json"), 1e-9);
        assertNull(ratios.cpuSecondsPerGb().get("json").restoreWorker());
        assertNull(ratios.manyPartitionsThroughputRatio());
        assertNull(ratios.manyPartitionsHeapOverBudgetMiB());
        assertNull(ratios.manyPartitionsRestoreCompleted());
    }

    @Test
    void targetsCheckEachRatio() {
        Report report = evaluated(measuredRun());

        assertEquals(Boolean.FALSE, pass(report, "backup CPU ratio, json"), "1.5 > 1.25");
        assertEquals(Boolean.TRUE, pass(report, "restore CPU ratio, json"), "1.0 <= 1.25");
        assertEquals(Boolean.FALSE, pass(report, "many partitions, backup / null sink MB/s"), "0.25 < 0.5");
        assertEquals(Boolean.FALSE, pass(report, "many partitions, live heap over budget"), "68 > 64 MiB");
    }

    @Test
    void resultsJsonCarriesTheRatiosWithDateCommitAndMachine(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("results.json");
        evaluated(measuredRun()).write(file);

        JsonNode ratios = new ObjectMapper().readTree(file.toFile()).path("ratios");
        assertEquals("2026-11-29T04:20:00Z", ratios.path("date").asText());
        assertEquals("abc1234-dirty", ratios.path("commit").asText());
        assertEquals(2, ratios.path("machine").path("nproc").asInt());
        assertEquals("AMD EPYC", ratios.path("machine").path("cpu").asText());
        assertEquals("OpenJDK 64-Bit Server VM 17.0.15", ratios.path("machine").path("jvm").asText());
        assertEquals(1.5, ratios.path("backupCpuRatio").path("json").asDouble(), 1e-9);
        assertEquals(1.0, ratios.path("restoreCpuRatio").path("json").asDouble(), 1e-9);
        assertEquals(0.5, ratios.path("backupThroughputRatio").path("json").asDouble(), 1e-9);
        assertEquals(0.75, ratios.path("restoreThroughputRatio").path("json").asDouble(), 1e-9);
        assertEquals(0.25, ratios.path("manyPartitionsThroughputRatio").asDouble(), 1e-9);
        assertEquals(68.0, ratios.path("manyPartitionsHeapOverBudgetMiB").asDouble(), 1e-9);
        assertTrue(ratios.path("manyPartitionsRestoreCompleted").asBoolean());
        assertEquals(1.75, ratios.path("cpuSecondsPerGb").path("json").path("rawZstdCompress").asDouble(), 1e-9);
    }

    @Test
    void theTableShowsEachRatioUnderItsNameInResultsJson() {
        Report report = evaluated(measuredRun());
        java.io.ByteArrayOutputStream text = new java.io.ByteArrayOutputStream();
        report.print(new java.io.PrintStream(text, true, java.nio.charset.StandardCharsets.UTF_8));

        String table = text.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(table.contains("backupCpuRatio                   json    1.500  = worker 4.50 / (null sink 1.25 "
                + "+ raw zstd-3 1.75)"), table);
        assertTrue(table.contains("restoreCpuRatio                  json    1.000  = worker 3.50 / (producer 3.00 "
                + "+ raw zstd-3 decompression 0.50)"), table);
        assertTrue(table.contains("backupCpuRatioExcludingJit       json    1.409  = (worker 4.50 - JIT 0.45) / "
                + "(null sink 1.25 - JIT 0.13 + raw zstd-3 1.75)"), table);
        assertTrue(table.contains("manyPartitionsHeapOverBudgetMiB  json     68.0"), table);
        assertTrue(table.contains("commit abc1234-dirty"), table);
    }

    private static Report evaluated(Report report) {
        report.evaluate();
        return report;
    }

    private static Boolean pass(Report report, String target) {
        return report.targets.stream().filter(t -> t.name().equals(target)).findFirst().orElseThrow().pass();
    }

    /** A run with hand-picked figures: json backed up and restored (2 GB), binary backed up (1 GB), the scale run. */
    private static Report measuredRun() {
        Report report = new Report();
        report.machine.put("date", "2026-11-29T04:20:00Z");
        report.machine.put("commit", "abc1234-dirty");
        report.machine.put("cores", 2);
        report.machine.put("cpu", "AMD EPYC");
        report.machine.put("jvm", "OpenJDK 64-Bit Server VM 17.0.15");
        report.settings.put("scalePartitions", 1000);

        report.rawCodecCpu.add(raw("json", 2 * GB, 3.5, 1.0));
        report.rawCodecCpu.add(raw("binary", GB, 0.3, 0.2));

        report.backup.add(sink("ceiling", "json", "null-sink", null, 2 * GB, 400, 2.0, null, null, null));
        report.backup.add(sink("backup", "json", "backup-sink", "zstd", 2 * GB, 250, 9.0, null, null, null));
        report.backup.add(sink("backup", "json", "backup-sink", "lz4", 2 * GB, 300, 5.0, null, null, null));
        report.backup.add(sink("ceiling-again", "json", "null-sink", null, 2 * GB, 600, 3.0, null, null, null));
        report.backup.add(sink("ceiling", "binary", "null-sink", null, GB, 700, 1.2, null, null, null));
        report.backup.add(sink("backup", "binary", "backup-sink", "zstd", GB, 100, 3.0, null, null, null));
        report.backup.add(sink("ceiling-again", "binary", "null-sink", null, GB, 700, 1.2, null, null, null));

        report.restore.add(produce("restore-ceiling", "json", "kafka-producer", 200, null,
                Map.of("worker", 0.1, "broker", 7.6, "driver+s3proxy", 6.4), 6.0, null, null));
        report.restore.add(produce("restored", "json", "restore-source", 150, 0.75,
                Map.of("worker", 7.0, "broker", 9.0, "driver+s3proxy", 1.2, ProcessCpu.WORKER_JIT, 0.7), null, null,
                null));

        report.scale.add(sink("scale", "json", "null-sink", null, GB / 5, 200, 1.6, null, null, null));
        report.scale.add(sink("scale", "json", "backup-sink", "zstd", GB / 5, 50, 12.0, 0.25, 32 * MIB, null));
        report.memory.add(sink("scale-mem", "json", "null-sink", null, GB / 5, 150, 1.6, null, null, 60 * MIB));
        report.memory.add(sink("scale-mem", "json", "backup-sink", "zstd", GB / 5, 40, 12.0, null, 32 * MIB,
                100 * MIB));
        report.scaleRestore.add(produce("scale-restored", "json", "restore-source", 30, null,
                Map.of("worker", 2.0, "broker", 1.0, "driver+s3proxy", 3.0), null, 300 * MIB, "1g"));
        return report;
    }

    private static Figures.RawCodecCost raw(String dataSet, long payload, double compress, double decompress) {
        double gigabytes = payload / 1e9;
        return new Figures.RawCodecCost(dataSet, "zstd", 3, payload, payload, payload / 2, payload / (1 << 20),
                compress, decompress, compress / gigabytes, decompress / gigabytes);
    }

    private static Figures.SinkRun sink(String phase, String dataSet, String connector, String codec, long payload,
                                        double mbPerSecond, double workerCpu, Double ratioToCeiling, Long budget,
                                        Long liveMax) {
        double seconds = payload / 1e6 / mbPerSecond;
        return new Figures.SinkRun(phase, dataSet, connector, codec, 1, payload / 1000, payload, seconds,
                mbPerSecond, payload / 1000 / seconds, ratioToCeiling, null, null, null, null, null, null, null, null,
                null, null, null, budget, null, 30 * MIB, 200 * MIB, liveMax, 10, "2g",
                Map.of("worker", workerCpu, "broker", 1.0, "driver+s3proxy", 2.0, ProcessCpu.WORKER_JIT,
                        workerCpu / 10));
    }

    private static Figures.ProduceRun produce(String phase, String dataSet, String producer, double mbPerSecond,
                                              Double ratioToCeiling, Map<String, Double> cpu, Double producerCpu,
                                              Long liveMax, String workerHeap) {
        long payload = phase.startsWith("scale") ? GB / 5 : 2 * GB;
        double seconds = payload / 1e6 / mbPerSecond;
        return new Figures.ProduceRun(phase, dataSet, producer, 1, payload / 1000, payload, seconds, mbPerSecond,
                payload / 1000 / seconds, ratioToCeiling, Map.of(), cpu, producerCpu,
                producerCpu == null ? null : 0.4, 30 * MIB, 400 * MIB, liveMax, workerHeap);
    }
}
