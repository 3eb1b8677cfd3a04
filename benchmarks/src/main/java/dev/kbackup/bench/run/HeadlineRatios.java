package dev.kbackup.bench.run;

import dev.kbackup.bench.cluster.ProcessCpu;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The headline figures of one run (issue 14), as results.json's "ratios": CPU ratios, which hardly move when other
 * work shares the machine, and throughput ratios, which move by up to 30 % between runs. Every term of a CPU ratio is
 * CPU seconds per GB of record payload (10^9 bytes of keys, values and headers) and is written next to it
 * ({@code cpuSecondsPerGb}), so that each ratio can be checked from the file. A figure the run did not measure is
 * left out (maps) or null.
 *
 * @param backupCpuRatio          per data set: worker CPU s/GB of the zstd-3 backup / (worker CPU s/GB of the null
 *                                sink, mean of its runs before and after the backups, + CPU s/GB of raw zstd-3
 *                                compression of the same data set)
 * @param restoreCpuRatio         per data set: worker CPU s/GB of the restore / (CPU s/GB of the plain producer
 *                                ceiling + CPU s/GB of raw zstd-3 decompression of the same blocks)
 * @param backupCpuRatioExcludingJit per data set: {@code backupCpuRatio} with the CPU of the worker's JIT
 *                                compiler threads taken out of both worker terms: a diagnostic, steadier between
 *                                runs, since a 1 GB phase is short enough that compilation is a varying share of it
 * @param restoreCpuRatioExcludingJit per data set: {@code restoreCpuRatio} with the worker's JIT compiler threads
 *                                taken out of the restore's worker term (the producer ceiling runs in the
 *                                benchmark's JVM, compiled long before): a diagnostic like the backup's
 * @param backupThroughputRatio   per data set: zstd-3 backup MB/s / null-sink MB/s (mean of its runs)
 * @param restoreThroughputRatio  per data set: restore MB/s / producer ceiling MB/s
 * @param manyPartitionsThroughputRatio   scale run: backup MB/s / null-sink MB/s, both over all its partitions
 * @param manyPartitionsHeapOverBudgetMiB scale memory pass: the backup's live heap high-water minus its
 *                                        buffer.memory.bytes (the target allows 64 MiB)
 * @param manyPartitionsRestoreCompleted  whether the scale backup was restored, every partition, in the scale worker
 *                                        (null if not run)
 * @param manyPartitionsRestoreLiveHeapMiB the scale restore's live heap high-water
 */
record HeadlineRatios(String date, String commit, Map<String, Object> machine,
                      Map<String, Double> backupCpuRatio, Map<String, Double> restoreCpuRatio,
                      Map<String, Double> backupCpuRatioExcludingJit, Map<String, Double> restoreCpuRatioExcludingJit,
                      Map<String, Double> backupThroughputRatio, Map<String, Double> restoreThroughputRatio,
                      Double manyPartitionsThroughputRatio, Double manyPartitionsLiveHeapMiB,
                      Double manyPartitionsBudgetMiB, Double manyPartitionsHeapOverBudgetMiB,
                      Boolean manyPartitionsRestoreCompleted, String manyPartitionsRestoreError,
                      Double manyPartitionsRestoreLiveHeapMiB, String manyPartitionsRestoreWorkerHeap,
                      Map<String, CpuTerms> cpuSecondsPerGb) {

    static final String CODEC = "zstd";

    /**
     * The terms of the CPU ratios of one data set, CPU seconds per GB of payload.
     *
     * @param backupWorker      the worker during the zstd-3 backup
     * @param nullSinkWorker    the worker during the null sink, mean of its runs
     * @param rawZstdCompress   zstd-jni level 3 compressing the data set's 1 MiB blocks, one thread
     * @param restoreWorker     the worker during the restore of the zstd-3 backup
     * @param producerCeiling   the plain producer: the benchmark's JVM minus its threads that were idle (S3Proxy)
     * @param rawZstdDecompress zstd-jni decompressing those blocks, one thread
     * @param backupWorkerJit   of {@code backupWorker}, the worker's JIT compiler threads
     * @param nullSinkWorkerJit of {@code nullSinkWorker}, the worker's JIT compiler threads
     * @param restoreWorkerJit  of {@code restoreWorker}, the worker's JIT compiler threads
     */
    record CpuTerms(Double backupWorker, Double nullSinkWorker, Double rawZstdCompress, Double restoreWorker,
                    Double producerCeiling, Double rawZstdDecompress, Double backupWorkerJit,
                    Double nullSinkWorkerJit, Double restoreWorkerJit) {
    }

    /** Computes the ratios from what {@code report} holds; call after the backups' ratios to the ceiling are set. */
    static HeadlineRatios of(Report report) {
        Map<String, Double> backupCpu = new LinkedHashMap<>();
        Map<String, Double> restoreCpu = new LinkedHashMap<>();
        Map<String, Double> backupCpuWithoutJit = new LinkedHashMap<>();
        Map<String, Double> restoreCpuWithoutJit = new LinkedHashMap<>();
        Map<String, Double> backupThroughput = new LinkedHashMap<>();
        Map<String, Double> restoreThroughput = new LinkedHashMap<>();
        Map<String, CpuTerms> terms = new LinkedHashMap<>();
        for (String dataSet : dataSets(report)) {
            Optional<Figures.SinkRun> backup = first(report.backup, r -> r.dataSet().equals(dataSet)
                    && r.phase().equals("backup") && CODEC.equals(r.codec()));
            Optional<Figures.ProduceRun> restore = first(report.restore, r -> r.dataSet().equals(dataSet)
                    && r.producer().equals("restore-source"));
            Optional<Figures.ProduceRun> producer = first(report.restore, r -> r.dataSet().equals(dataSet)
                    && r.producer().equals("kafka-producer"));
            Optional<Figures.RawCodecCost> raw = first(report.rawCodecCpu, r -> r.dataSet().equals(dataSet)
                    && r.codec().equals(CODEC));
            List<Double> nullSinks = new ArrayList<>();
            List<Double> nullSinksJit = new ArrayList<>();
            for (Figures.SinkRun run : report.backup) {
                if (run.dataSet().equals(dataSet) && run.connector().equals("null-sink")) {
                    nullSinks.add(workerPerGb(run.cpuSeconds(), run.payloadBytes()));
                    nullSinksJit.add(workerJitPerGb(run.cpuSeconds(), run.payloadBytes()));
                }
            }
            CpuTerms cpu = new CpuTerms(
                    backup.map(r -> workerPerGb(r.cpuSeconds(), r.payloadBytes())).orElse(null),
                    mean(nullSinks),
                    raw.map(Figures.RawCodecCost::compressCpuSecondsPerGb).orElse(null),
                    restore.map(r -> workerPerGb(r.cpuSeconds(), r.payloadBytes())).orElse(null),
                    producer.map(r -> perGb(r.producerCpuSeconds(), r.payloadBytes())).orElse(null),
                    raw.map(Figures.RawCodecCost::decompressCpuSecondsPerGb).orElse(null),
                    backup.map(r -> workerJitPerGb(r.cpuSeconds(), r.payloadBytes())).orElse(null),
                    mean(nullSinksJit),
                    restore.map(r -> workerJitPerGb(r.cpuSeconds(), r.payloadBytes())).orElse(null));
            terms.put(dataSet, round(cpu));
            put(backupCpu, dataSet, quotient(cpu.backupWorker(), sum(cpu.nullSinkWorker(), cpu.rawZstdCompress())));
            put(backupCpuWithoutJit, dataSet, quotient(difference(cpu.backupWorker(), cpu.backupWorkerJit()),
                    sum(difference(cpu.nullSinkWorker(), cpu.nullSinkWorkerJit()), cpu.rawZstdCompress())));
            put(restoreCpuWithoutJit, dataSet, quotient(difference(cpu.restoreWorker(), cpu.restoreWorkerJit()),
                    sum(cpu.producerCeiling(), cpu.rawZstdDecompress())));
            put(restoreCpu, dataSet, quotient(cpu.restoreWorker(),
                    sum(cpu.producerCeiling(), cpu.rawZstdDecompress())));
            put(backupThroughput, dataSet, backup.map(Figures.SinkRun::ratioToCeiling).orElse(null));
            put(restoreThroughput, dataSet, restore.map(Figures.ProduceRun::ratioToCeiling).orElse(null));
        }

        Double scaleThroughput = first(report.scale, r -> r.connector().equals("backup-sink"))
                .map(Figures.SinkRun::ratioToCeiling).map(r -> round(r, 3)).orElse(null);
        Optional<Figures.SinkRun> scaleMemory = first(report.memory, r -> r.phase().equals("scale-mem")
                && r.connector().equals("backup-sink") && r.heapLiveMax() != null && r.bufferMemoryBytes() != null);
        Double liveMib = scaleMemory.map(r -> mib(r.heapLiveMax())).orElse(null);
        Double budgetMib = scaleMemory.map(r -> mib(r.bufferMemoryBytes())).orElse(null);
        Double overBudgetMib = scaleMemory.map(r -> mib(r.heapLiveMax() - r.bufferMemoryBytes())).orElse(null);
        Optional<Figures.ProduceRun> scaleRestore = report.scaleRestore.stream().findFirst();
        Boolean restoreCompleted = scaleRestore.isPresent() ? Boolean.TRUE
                : report.scaleRestoreError != null ? Boolean.FALSE : null;

        Map<String, Object> machine = new LinkedHashMap<>();
        machine.put("nproc", report.machine.get("cores"));
        machine.put("cpu", report.machine.get("cpu"));
        machine.put("jvm", report.machine.get("jvm"));
        return new HeadlineRatios((String) report.machine.get("date"), (String) report.machine.get("commit"),
                machine, backupCpu, restoreCpu, backupCpuWithoutJit, restoreCpuWithoutJit, backupThroughput,
                restoreThroughput, scaleThroughput, liveMib, budgetMib, overBudgetMib, restoreCompleted,
                report.scaleRestoreError,
                scaleRestore.map(Figures.ProduceRun::heapLiveMax).map(HeadlineRatios::mib).orElse(null),
                scaleRestore.map(Figures.ProduceRun::workerHeap).orElse(null), terms);
    }

    /** Data sets in the order the run measured them. */
    private static Set<String> dataSets(Report report) {
        Set<String> dataSets = new LinkedHashSet<>();
        report.rawCodecCpu.forEach(r -> dataSets.add(r.dataSet()));
        report.backup.forEach(r -> dataSets.add(r.dataSet()));
        report.restore.forEach(r -> dataSets.add(r.dataSet()));
        return dataSets;
    }

    private static <T> Optional<T> first(List<T> runs, Predicate<T> which) {
        return runs.stream().filter(which).findFirst();
    }

    private static Double workerPerGb(Map<String, Double> cpuSeconds, long payloadBytes) {
        return perGb(cpuSeconds.get("worker"), payloadBytes);
    }

    private static Double workerJitPerGb(Map<String, Double> cpuSeconds, long payloadBytes) {
        return perGb(cpuSeconds.get(ProcessCpu.WORKER_JIT), payloadBytes);
    }

    private static Double perGb(Double cpuSeconds, long payloadBytes) {
        return cpuSeconds == null || cpuSeconds.isNaN() || payloadBytes <= 0 ? null : cpuSeconds / (payloadBytes / 1e9);
    }

    private static Double mean(List<Double> values) {
        if (values.isEmpty() || values.contains(null)) {
            return null;
        }
        return values.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
    }

    private static Double sum(Double a, Double b) {
        return a == null || b == null ? null : a + b;
    }

    private static Double difference(Double a, Double b) {
        return a == null || b == null ? null : a - b;
    }

    private static Double quotient(Double a, Double b) {
        return a == null || b == null || b <= 0 ? null : a / b;
    }

    private static void put(Map<String, Double> map, String dataSet, Double value) {
        if (value != null) {
            map.put(dataSet, round(value, 3));
        }
    }

    private static CpuTerms round(CpuTerms t) {
        return new CpuTerms(round(t.backupWorker(), 3), round(t.nullSinkWorker(), 3), round(t.rawZstdCompress(), 3),
                round(t.restoreWorker(), 3), round(t.producerCeiling(), 3), round(t.rawZstdDecompress(), 3),
                round(t.backupWorkerJit(), 3), round(t.nullSinkWorkerJit(), 3), round(t.restoreWorkerJit(), 3));
    }

    private static Double round(Double value, int decimals) {
        if (value == null || value.isNaN() || value.isInfinite()) {
            return null;
        }
        double scale = Math.pow(10, decimals);
        return Math.round(value * scale) / scale;
    }

    private static Double mib(Long bytes) {
        return bytes == null ? null : round(bytes / (double) Report.MIB, 1);
    }
}
