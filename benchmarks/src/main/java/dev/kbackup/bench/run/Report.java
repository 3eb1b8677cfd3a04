package dev.kbackup.bench.run;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.kbackup.bench.codec.CodecBenchmarks;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Everything one run measured, the targets checked against it, as results.json and as a table. */
public final class Report {

    static final long MIB = 1024 * 1024;
    static final long HEAP_ALLOWANCE = 64 * MIB;
    /** Targets of the headline ratios (issue 14). */
    static final double CPU_RATIO_TARGET = 1.25;
    static final double MANY_PARTITIONS_THROUGHPUT_TARGET = 0.5;

    /** The headline figures, first in results.json; set by {@link #evaluate()}. */
    public HeadlineRatios ratios;
    public final Map<String, Object> machine = new LinkedHashMap<>();
    public final Map<String, Object> settings = new LinkedHashMap<>();
    public final List<CodecBenchmarks.Row> codec = new ArrayList<>();
    public final List<Figures.Compression> compression = new ArrayList<>();
    public final List<Figures.RawCodecCost> rawCodecCpu = new ArrayList<>();
    public final List<Figures.SinkRun> backup = new ArrayList<>();
    public final List<Figures.ProduceRun> restore = new ArrayList<>();
    public final List<Figures.SinkRun> scale = new ArrayList<>();
    public final List<Figures.ProduceRun> scaleRestore = new ArrayList<>();
    /** Why the scale restore did not complete; null if it did or did not run. */
    public String scaleRestoreError;
    public final List<Figures.SinkRun> memory = new ArrayList<>();
    public final List<Figures.Target> targets = new ArrayList<>();
    public final Map<String, Double> phaseSeconds = new LinkedHashMap<>();

    /**
     * The null sink runs before and after the backups of a data set; its ceiling is the mean of those runs, and
     * their spread is the noise of the machine during the backups.
     */
    private List<Double> ceilings(String dataSet) {
        List<Double> rates = new ArrayList<>();
        for (Figures.SinkRun run : backup) {
            if (run.connector().equals("null-sink") && run.dataSet().equals(dataSet)) {
                rates.add(run.mbPerSecond());
            }
        }
        return rates;
    }

    /** Checks every target against the figures present. */
    void evaluate() {
        targets.clear();
        for (int i = 0; i < backup.size(); i++) {
            Figures.SinkRun run = backup.get(i);
            List<Double> ceilings = ceilings(run.dataSet());
            if (run.connector().equals("backup-sink") && !ceilings.isEmpty()) {
                double mean = ceilings.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
                backup.set(i, run.withRatioToCeiling(run.mbPerSecond() / mean));
            }
        }
        ratios = HeadlineRatios.of(this);
        addHeadlineTargets();
        for (Figures.SinkRun run : backup) {
            if (run.ratioToCeiling() != null && "zstd".equals(run.codec())) {
                targets.add(new Figures.Target("backup zstd-3 / null-sink ceiling, " + run.dataSet(),
                        fmt("%.2fx (%.0f of %.0f MB/s)", run.ratioToCeiling(), run.mbPerSecond(),
                                run.mbPerSecond() / run.ratioToCeiling()), ">= 0.90x", run.ratioToCeiling() >= 0.9,
                        "ceiling runs " + ceilings(run.dataSet()).stream().map(c -> fmt("%.0f", c))
                                .collect(java.util.stream.Collectors.joining(", ")) + " MB/s"));
            }
        }
        for (Figures.ProduceRun run : restore) {
            if (run.ratioToCeiling() != null) {
                targets.add(new Figures.Target("restore / producer ceiling, " + run.dataSet(),
                        fmt("%.2fx (%.0f of %.0f MB/s)", run.ratioToCeiling(), run.mbPerSecond(),
                                run.mbPerSecond() / run.ratioToCeiling()), ">= 0.80x", run.ratioToCeiling() >= 0.8,
                        null));
            }
        }
        for (Figures.Compression c : compression) {
            if (c.dataSet().equals("json")) {
                if (c.backupToOneFrame() != null) {
                    targets.add(new Figures.Target("JSON compression, backup / one zstd-3 frame",
                            fmt("%.3fx (%.2f vs %.2f)", c.backupToOneFrame(), c.backupRatio(), c.oneFrameRatio()),
                            ">= 0.95x", c.backupToOneFrame() >= 0.95, "segments as the backup stored them"));
                }
                targets.add(new Figures.Target("JSON compression, one segment / one zstd-3 frame",
                        fmt("%.3fx (%.2f vs %.2f)", c.segmentToOneFrame(), c.segmentRatio(), c.oneFrameRatio()),
                        ">= 0.95x", c.segmentToOneFrame() >= 0.95, "the whole data set as one segment"));
            }
        }
        List<Figures.SinkRun> sinks = new ArrayList<>(backup);
        sinks.addAll(scale);
        sinks.addAll(memory);
        for (Figures.SinkRun run : sinks) {
            String where = run.phase() + " " + run.dataSet() + " " + run.codec();
            if (run.bufferMemoryBytes() != null && run.heapLiveMax() != null) {
                long limit = run.bufferMemoryBytes() + HEAP_ALLOWANCE;
                targets.add(new Figures.Target("worker live heap high-water, " + where,
                        fmt("%d MiB (idle worker %d MiB)", run.heapLiveMax() / MIB, run.heapBaseline() / MIB),
                        fmt("<= %d MiB (buffer %d + 64)", limit / MIB, run.bufferMemoryBytes() / MIB),
                        run.heapLiveMax() <= limit, "full GC every " + HeapWatch.LIVE_SAMPLE_MS + " ms"));
            }
            if (run.checkpointP99Ms() != null && run.heapLiveMax() == null) {
                targets.add(new Figures.Target("checkpoint p99, " + where,
                        fmt("%.1f ms (n=%d, max %.1f)", run.checkpointP99Ms(), run.checkpointCount(),
                                run.checkpointMaxMs()), "< 100 ms", run.checkpointP99Ms() < 100, null));
            }
        }
        for (CodecBenchmarks.Row row : codec) {
            if (row.codec().equals("none")) {
                continue;
            }
            String where = row.dataSet() + " " + row.codec();
            targets.add(new Figures.Target("segment encode / raw compress, " + where,
                    fmt("%.2fx (%.0f vs %.0f MB/s)", row.encodeToRaw(), row.segmentEncodeMBps(), row.rawCompressMBps()),
                    ">= 0.80x", row.encodeToRaw() >= 0.8, null));
            targets.add(new Figures.Target("segment decode / raw decompress, " + where,
                    fmt("%.2fx (%.0f vs %.0f MB/s)", row.decodeToRaw(), row.segmentDecodeMBps(),
                            row.rawDecompressMBps()), ">= 0.80x", row.decodeToRaw() >= 0.8, null));
        }
    }

    private void addHeadlineTargets() {
        ratios.backupCpuRatio().forEach((dataSet, ratio) -> {
            HeadlineRatios.CpuTerms t = ratios.cpuSecondsPerGb().get(dataSet);
            targets.add(new Figures.Target("backup CPU ratio, " + dataSet, fmt("%.2f", ratio),
                    fmt("<= %.2f", CPU_RATIO_TARGET), ratio <= CPU_RATIO_TARGET,
                    fmt("worker %.2f / (null sink %.2f + raw zstd-3 %.2f) CPU s/GB", t.backupWorker(),
                            t.nullSinkWorker(), t.rawZstdCompress())));
        });
        ratios.restoreCpuRatio().forEach((dataSet, ratio) -> {
            HeadlineRatios.CpuTerms t = ratios.cpuSecondsPerGb().get(dataSet);
            targets.add(new Figures.Target("restore CPU ratio, " + dataSet, fmt("%.2f", ratio),
                    fmt("<= %.2f", CPU_RATIO_TARGET), ratio <= CPU_RATIO_TARGET,
                    fmt("worker %.2f / (producer %.2f + raw zstd-3 decompression %.2f) CPU s/GB",
                            t.restoreWorker(), t.producerCeiling(), t.rawZstdDecompress())));
        });
        if (ratios.manyPartitionsThroughputRatio() != null) {
            targets.add(new Figures.Target("many partitions, backup / null sink MB/s",
                    fmt("%.2fx", ratios.manyPartitionsThroughputRatio()),
                    fmt(">= %.2fx", MANY_PARTITIONS_THROUGHPUT_TARGET),
                    ratios.manyPartitionsThroughputRatio() >= MANY_PARTITIONS_THROUGHPUT_TARGET, null));
        }
        if (ratios.manyPartitionsHeapOverBudgetMiB() != null) {
            targets.add(new Figures.Target("many partitions, live heap over budget",
                    fmt("%.1f MiB (%.1f - %.1f)", ratios.manyPartitionsHeapOverBudgetMiB(),
                            ratios.manyPartitionsLiveHeapMiB(), ratios.manyPartitionsBudgetMiB()),
                    fmt("<= %d MiB", HEAP_ALLOWANCE / MIB),
                    ratios.manyPartitionsHeapOverBudgetMiB() <= HEAP_ALLOWANCE / MIB, "memory pass"));
        }
        if (ratios.manyPartitionsRestoreCompleted() != null) {
            targets.add(new Figures.Target("many partitions, restore completes",
                    ratios.manyPartitionsRestoreCompleted()
                            ? fmt("yes, live heap %.1f MiB", ratios.manyPartitionsRestoreLiveHeapMiB())
                            : "no", "completes, heap bounded", ratios.manyPartitionsRestoreCompleted(),
                    ratios.manyPartitionsRestoreCompleted() ? "worker -Xmx" + ratios.manyPartitionsRestoreWorkerHeap()
                            : ratios.manyPartitionsRestoreError()));
        }
    }

    void write(Path file) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), this);
    }

    void print(PrintStream out) {
        out.println();
        out.println("kbackup benchmark, " + machine.get("date") + ", commit " + machine.get("commit") + ", "
                + machine.get("cores") + " cores (" + machine.get("cpu") + "), Java " + machine.get("java")
                + ", load average at start "
                + machine.get("loadAverageStart") + ", at end " + machine.get("loadAverageEnd"));
        out.println("MB = 10^6 bytes of record payload (keys, values, headers) unless said otherwise.");
        if (!codec.isEmpty()) {
            out.println();
            out.println("Codec (JMH, MB/s of encoded records; segment = encode+compress+CRC / decompress+decode)");
            out.printf("  %-7s %-5s %12s %12s %6s %12s %12s %6s %8s %8s%n", "data", "codec", "raw compr",
                    "seg encode", "x raw", "raw decompr", "seg decode", "x raw", "raw ratio", "seg ratio");
            for (CodecBenchmarks.Row r : codec) {
                out.printf("  %-7s %-5s %12.0f %12.0f %6.2f %12.0f %12.0f %6.2f %8.2f %8.2f%n", r.dataSet(),
                        r.codec(), r.rawCompressMBps(), r.segmentEncodeMBps(), r.encodeToRaw(),
                        r.rawDecompressMBps(), r.segmentDecodeMBps(), r.decodeToRaw(), r.rawCompressionRatio(),
                        r.segmentCompressionRatio());
            }
        }
        if (!compression.isEmpty()) {
            out.println();
            out.println("Compression of the whole data set at zstd-3 (ratio = encoded record bytes / stored bytes)");
            out.printf("  %-7s %10s %10s %10s %10s %10s%n", "data", "one frame", "1 segment", "x frame", "backup",
                    "x frame");
            for (Figures.Compression c : compression) {
                out.printf("  %-7s %10.3f %10.3f %10.3f %10s %10s%n", c.dataSet(), c.oneFrameRatio(),
                        c.segmentRatio(), c.segmentToOneFrame(), c.backupRatio() == null ? "-"
                                : fmt("%.3f", c.backupRatio()), c.backupToOneFrame() == null ? "-"
                                : fmt("%.3f", c.backupToOneFrame()));
            }
        }
        printSinks(out, "Backup (S3Proxy; tasks.max=" + settings.get("tasks") + ", worker " + settings.get("workerHeap")
                + ")", backup);
        printRestores(out, "Restore (from the zstd backup into a new topic)", restore);
        printSinks(out, "Scale (" + settings.get("scalePartitions") + " partitions, worker -Xmx"
                + settings.get("scaleWorkerHeap") + ")", scale);
        printRestores(out, "Scale restore (the scale backup, every partition, same worker)", scaleRestore);
        if (!memory.isEmpty()) {
            out.println();
            out.println("Memory passes (a full GC in the worker every " + HeapWatch.LIVE_SAMPLE_MS
                    + " ms: live heap; their throughput is not a result)");
            out.printf("  %-7s %-7s %-11s %-5s %10s %10s %14s %12s %10s%n", "data", "phase", "sink", "codec",
                    "live max", "idle", "after-GC max", "buffered max", "budget");
            for (Figures.SinkRun r : memory) {
                out.printf("  %-7s %-7s %-11s %-5s %10s %10s %14s %12s %10s%n", r.dataSet(), r.phase(),
                        r.connector(), r.codec() == null ? "-" : r.codec(), mib(r.heapLiveMax()),
                        mib(r.heapBaseline()), mib(r.heapMaxAfterGc()), mib(r.bufferedBytesMax()),
                        mib(r.bufferMemoryBytes()));
            }
        }
        printRatios(out);
        out.println();
        out.println("Targets (against ceilings measured in this run)");
        for (Figures.Target t : targets) {
            out.printf("  %-4s %-52s %-38s %s%s%n", t.pass() == null ? "n/a" : t.pass() ? "PASS" : "MISS", t.name(),
                    t.measured(), t.target(), t.note() == null ? "" : "  (" + t.note() + ")");
        }
        out.println();
        out.println("Phase times (s): " + phaseSeconds);
    }

    /** The headline ratios under their names in results.json, each with the terms it is made of. */
    private void printRatios(PrintStream out) {
        if (ratios == null) {
            return;
        }
        out.println();
        out.println("Headline ratios (\"ratios\" in results.json; CPU s/GB = CPU seconds per 10^9 bytes of payload)");
        if (!rawCodecCpu.isEmpty()) {
            for (Figures.RawCodecCost raw : rawCodecCpu) {
                out.printf("  raw %s-%d on one thread, %-6s  compress %.3f, decompress %.3f CPU s/GB (%d blocks)%n",
                        raw.codec(), raw.zstdLevel(), raw.dataSet(), raw.compressCpuSecondsPerGb(),
                        raw.decompressCpuSecondsPerGb(), raw.blocks());
            }
        }
        ratios.backupCpuRatio().forEach((dataSet, ratio) -> {
            HeadlineRatios.CpuTerms t = ratios.cpuSecondsPerGb().get(dataSet);
            out.printf("  %-32s %-6s %6.3f  = worker %.2f / (null sink %.2f + raw zstd-3 %.2f)%n", "backupCpuRatio",
                    dataSet, ratio, t.backupWorker(), t.nullSinkWorker(), t.rawZstdCompress());
        });
        ratios.backupCpuRatioExcludingJit().forEach((dataSet, ratio) -> {
            HeadlineRatios.CpuTerms t = ratios.cpuSecondsPerGb().get(dataSet);
            out.printf("  %-32s %-6s %6.3f  = (worker %.2f - JIT %.2f) / (null sink %.2f - JIT %.2f + raw zstd-3 "
                    + "%.2f)%n", "backupCpuRatioExcludingJit", dataSet, ratio, t.backupWorker(), t.backupWorkerJit(),
                    t.nullSinkWorker(), t.nullSinkWorkerJit(), t.rawZstdCompress());
        });
        ratios.restoreCpuRatio().forEach((dataSet, ratio) -> {
            HeadlineRatios.CpuTerms t = ratios.cpuSecondsPerGb().get(dataSet);
            out.printf("  %-32s %-6s %6.3f  = worker %.2f / (producer %.2f + raw zstd-3 decompression %.2f)%n",
                    "restoreCpuRatio", dataSet, ratio, t.restoreWorker(), t.producerCeiling(),
                    t.rawZstdDecompress());
        });
        ratios.restoreCpuRatioExcludingJit().forEach((dataSet, ratio) -> {
            HeadlineRatios.CpuTerms t = ratios.cpuSecondsPerGb().get(dataSet);
            out.printf("  %-32s %-6s %6.3f  = (worker %.2f - JIT %.2f) / (producer %.2f + raw zstd-3 decompression "
                    + "%.2f)%n", "restoreCpuRatioExcludingJit", dataSet, ratio, t.restoreWorker(),
                    t.restoreWorkerJit(), t.producerCeiling(), t.rawZstdDecompress());
        });
        ratios.backupThroughputRatio().forEach((dataSet, ratio) -> out.printf("  %-32s %-6s %6.3f  = MB/s of the "
                + "zstd-3 backup / null sink%n", "backupThroughputRatio", dataSet, ratio));
        ratios.restoreThroughputRatio().forEach((dataSet, ratio) -> out.printf("  %-32s %-6s %6.3f  = MB/s of the "
                + "restore / producer%n", "restoreThroughputRatio", dataSet, ratio));
        if (ratios.manyPartitionsThroughputRatio() != null) {
            out.printf("  %-32s %-6s %6.3f  = MB/s of the backup / null sink, %s partitions%n",
                    "manyPartitionsThroughputRatio", "json", ratios.manyPartitionsThroughputRatio(),
                    settings.get("scalePartitions"));
        }
        if (ratios.manyPartitionsHeapOverBudgetMiB() != null) {
            out.printf("  %-32s %-6s %6.1f  = live heap %.1f MiB - buffer.memory.bytes %.1f MiB%n",
                    "manyPartitionsHeapOverBudgetMiB", "json", ratios.manyPartitionsHeapOverBudgetMiB(),
                    ratios.manyPartitionsLiveHeapMiB(), ratios.manyPartitionsBudgetMiB());
        }
        if (ratios.manyPartitionsRestoreCompleted() != null) {
            out.printf("  %-32s %-6s %6s  %s%n", "manyPartitionsRestoreCompleted", "json",
                    ratios.manyPartitionsRestoreCompleted(), ratios.manyPartitionsRestoreCompleted()
                            ? fmt("live heap %s MiB in a -Xmx%s worker", ratios.manyPartitionsRestoreLiveHeapMiB(),
                                    ratios.manyPartitionsRestoreWorkerHeap())
                            : ratios.manyPartitionsRestoreError());
        }
    }

    private static void printRestores(PrintStream out, String title, List<Figures.ProduceRun> runs) {
        if (runs.isEmpty()) {
            return;
        }
        out.println();
        out.println(title);
        out.printf("  %-7s %-15s %8s %10s %8s %7s %15s  %-35s %s%n", "data", "producer", "MB/s", "records/s",
                "x ceil", "secs", "heap live/GC max", "CPU s/GB worker/broker/driver/JIT", "producer alone");
        for (Figures.ProduceRun r : runs) {
            out.printf("  %-7s %-15s %8.1f %10.0f %8s %7.1f %15s  %-35s %s%n", r.dataSet(), r.producer(),
                    r.mbPerSecond(), r.recordsPerSecond(),
                    r.ratioToCeiling() == null ? "-" : fmt("%.2f", r.ratioToCeiling()), r.seconds(),
                    r.heapMaxAfterGc() == null ? "-" : mib(r.heapLiveMax()) + "/" + mib(r.heapMaxAfterGc()),
                    cpuPerGb(r.cpuSeconds(), r.seconds(), r.payloadBytes()),
                    r.producerCpuSeconds() == null ? ""
                            : fmt("%.1f", r.producerCpuSeconds() / (r.payloadBytes() / 1e9)));
        }
    }

    private static void printSinks(PrintStream out, String title, List<Figures.SinkRun> runs) {
        if (runs.isEmpty()) {
            return;
        }
        out.println();
        out.println(title);
        out.printf("  %-7s %-11s %-5s %7s %9s %6s %6s %6s %11s %11s %15s %8s  %s%n", "data", "sink", "codec", "MB/s",
                "records/s", "x ceil", "ratio", "secs", "upload p50/99", "ckpt p50/99", "heap GC max/idle",
                "buf max", "CPU s/GB worker/broker/driver/JIT");
        for (Figures.SinkRun r : runs) {
            out.printf("  %-7s %-11s %-5s %7.1f %9.0f %6s %6s %6.1f %11s %11s %15s %8s  %s%n", r.dataSet(),
                    r.connector(), r.codec() == null ? "-" : r.codec(), r.mbPerSecond(), r.recordsPerSecond(),
                    r.ratioToCeiling() == null ? "-" : fmt("%.2f", r.ratioToCeiling()),
                    r.compressionRatio() == null ? "-" : fmt("%.2f", r.compressionRatio()), r.seconds(),
                    pair(r.uploadLatencyP50Ms(), r.uploadLatencyP99Ms()),
                    pair(r.checkpointP50Ms(), r.checkpointP99Ms()),
                    fmt("%d/%d MiB", r.heapMaxAfterGc() / MIB, r.heapBaseline() / MIB),
                    r.bufferedBytesMax() == null ? "-" : fmt("%d MiB", r.bufferedBytesMax() / MIB),
                    cpuPerGb(r.cpuSeconds(), r.seconds(), r.payloadBytes()));
        }
    }

    private static String mib(Long bytes) {
        return bytes == null ? "-" : fmt("%d MiB", bytes / MIB);
    }

    private static String pair(Double a, Double b) {
        return a == null || b == null ? "-" : fmt("%.1f/%.1f", a, b);
    }

    /**
     * CPU seconds each process spent per GB of payload: unlike MB/s, this hardly moves when other work shares the
     * machine, so it is the figure to compare between runs (it includes the connector's start-up).
     */
    private static String cpuPerGb(Map<String, Double> cpuSeconds, double seconds, long bytes) {
        StringBuilder out = new StringBuilder();
        for (Double value : cpuSeconds.values()) {
            out.append(out.length() == 0 ? "" : "/").append(fmt("%.1f", value / (bytes / 1e9)));
        }
        return out.toString();
    }

    static String fmt(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }
}
