package dev.kbackup.bench.run;

import dev.kbackup.bench.cluster.ConnectWorker;
import dev.kbackup.bench.cluster.KafkaBroker;
import dev.kbackup.bench.cluster.ProcessCpu;
import dev.kbackup.bench.cluster.WorkerJmx;
import dev.kbackup.sink.BackupSinkConfig;
import dev.kbackup.storage.ObjectStore;
import dev.kbackup.testing.BackupConnectorConfig;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Runs one sink connector over a loaded topic in the worker and measures it: the null sink (consumption ceiling)
 * or the backup sink. Progress is read over JMX every {@value #POLL_MS} ms; the backup's end is when storage holds
 * every record in complete segments.
 */
final class SinkPhase {

    static final int POLL_MS = 50;
    static final String STORAGE_PREFIX = "bench";
    private static final Duration TIMEOUT = Duration.ofMinutes(30);

    private final ConnectWorker worker;
    private final KafkaBroker broker;
    private final ObjectStore store;
    private final Map<String, String> s3Config;
    private final Path stateDir;
    private final Map<String, String> consumerOverrides;

    /** @param consumerOverrides consumer.override.* settings given to both sinks alike */
    SinkPhase(ConnectWorker worker, KafkaBroker broker, ObjectStore store, Map<String, String> s3Config,
              Path stateDir, Map<String, String> consumerOverrides) {
        this.worker = worker;
        this.broker = broker;
        this.store = store;
        this.s3Config = s3Config;
        this.stateDir = stateDir;
        this.consumerOverrides = consumerOverrides;
    }

    /** Counts what Connect delivers from {@code topic}; the ceiling of every backup of it. */
    Figures.SinkRun nullSink(String phase, String dataSet, String topic, int tasks, long records, long bytes,
                             boolean sampleLiveHeap) throws Exception {
        String name = "null-" + phase + "-" + dataSet;
        Map<String, String> config = new HashMap<>();
        config.put("connector.class", "dev.kbackup.bench.connect.NullSinkConnector");
        config.put("tasks.max", Integer.toString(tasks));
        config.put("topics", topic);
        config.putAll(consumerOverrides);
        Measurement m = start(name, config, sampleLiveHeap);
        Progress progress = awaitCount(name, tasks, "records-total", records, m);
        Figures.SinkRun run = m.finish(progress.first, progress.done);
        worker.deleteConnector(name);
        return new Figures.SinkRun(phase, dataSet, "null-sink", null, tasks, records, bytes, run.seconds(),
                bytes / 1e6 / run.seconds(), records / run.seconds(), null, null, null, null, null, null, null, null,
                null, null, null, null, null, null, run.heapBaseline(), run.heapMaxAfterGc(), run.heapLiveMax(),
                run.gcCount(), worker.heap(), run.cpuSeconds());
    }

    /**
     * Backs up {@code topic} with the connector's defaults plus {@code overrides}; once every record is accepted its
     * tasks are restarted, which makes them close their segments at once instead of up to segment.max.interval.ms
     * later, and the phase ends when storage holds every record in complete segments.
     */
    Figures.SinkRun backup(String phase, String dataSet, String topic, int tasks, String codec,
                           long records, long bytes, Map<String, String> overrides, Figures.SinkRun ceiling,
                           boolean sampleLiveHeap) throws Exception {
        String name = "backup-" + phase + "-" + dataSet + "-" + codec;
        Map<String, String> config = BackupConnectorConfig.of("dev.kbackup.sink.BackupSinkConnector", name, topic)
                .storage(s3Config)
                .tasks(tasks)
                .prefix(STORAGE_PREFIX)
                .codec(codec)
                .stateDir(stateDir)
                .cluster(broker.bootstrapServers())
                // the product's intervals, not the builder's fast ones for tests
                .segmentMaxIntervalMs(productDefault(BackupSinkConfig.SEGMENT_MAX_INTERVAL_MS))
                .set(BackupSinkConfig.STATE_SYNC_INTERVAL_MS,
                        Long.toString(productDefault(BackupSinkConfig.STATE_SYNC_INTERVAL_MS)))
                // more checkpoints than the default 5 s gives, so that their p99 rests on more than a handful
                .checkpointIntervalMs(1000)
                .build();
        config.putAll(consumerOverrides);
        config.putAll(overrides);
        BackupInStorage stored = new BackupInStorage(store, name, topic);

        Measurement m = start(name, config, sampleLiveHeap);
        Progress progress = awaitCount(name, tasks, "records-in-total", records, m);
        Map<String, Double> metrics = new HashMap<>();
        for (int task = 0; task < tasks; task++) {
            int t = task;
            worker.jmx().taskMetrics(name, task).forEach((k, v) -> metrics.merge(k + "#" + t, v, Double::sum));
        }
        for (int task = 0; task < tasks; task++) {
            worker.restartTask(name, task);
        }
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (stored.refresh() < records) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("Backup " + name + " holds only " + stored.records() + " of "
                        + records + " records after " + TIMEOUT);
            }
            worker.checkAlive();
            Thread.sleep(POLL_MS);
        }
        long durable = System.nanoTime();
        Figures.SinkRun run = m.finish(progress.first, durable);
        worker.deleteConnector(name);
        long bufferMemory = Long.parseLong(config.getOrDefault("buffer.memory.bytes",
                Long.toString(256L * 1024 * 1024)));
        String connector = phase.equals(BenchmarkRun.ENCRYPTED_PHASE) ? "backup+enc" : "backup-sink";
        return new Figures.SinkRun(phase, dataSet, connector, codec, tasks, records, bytes, run.seconds(),
                bytes / 1e6 / run.seconds(), records / run.seconds(),
                ceiling == null ? null : (bytes / 1e6 / run.seconds()) / ceiling.mbPerSecond(),
                (durable - progress.done) / 1e9,
                (double) stored.uncompressedBytes() / stored.storedBytes(), stored.storedBytes(), stored.segments(),
                worst(metrics, "segment-upload-latency-p50", tasks), worst(metrics, "segment-upload-latency-p99", tasks),
                worst(metrics, "segment-upload-latency-max", tasks), worst(metrics, "checkpoint-latency-p50", tasks),
                worst(metrics, "checkpoint-latency-p99", tasks), worst(metrics, "checkpoint-latency-max", tasks),
                total(metrics, "checkpoint-latency-count", tasks), bufferMemory,
                total(metrics, "buffered-bytes-max", tasks), run.heapBaseline(), run.heapMaxAfterGc(),
                run.heapLiveMax(), run.gcCount(), worker.heap(), run.cpuSeconds());
    }

    private static long productDefault(String key) {
        return (Long) BackupSinkConfig.CONFIG_DEF.defaultValues().get(key);
    }

    private Measurement start(String name, Map<String, String> config, boolean sampleLiveHeap) throws Exception {
        Measurement m = new Measurement(HeapWatch.start(worker.jmx(), sampleLiveHeap));
        worker.createConnector(name, config);
        return m;
    }

    /** Polls the summed task metric until it reaches {@code expected}. */
    private Progress awaitCount(String name, int tasks, String attribute, long expected, Measurement m)
            throws Exception {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        long first = 0;
        long lastStatusCheck = System.nanoTime();
        while (true) {
            double count = worker.jmx().sum(name, tasks, attribute).orElse(0);
            long now = System.nanoTime();
            if (count > 0 && first == 0) {
                first = now;
            }
            if (count >= expected) {
                return new Progress(first, now);
            }
            if (now > deadline) {
                throw new IllegalStateException(name + " counted " + (long) count + " of " + expected + " records in "
                        + TIMEOUT);
            }
            if (now - lastStatusCheck > 2_000_000_000L) {
                worker.checkAlive();
                worker.status(name); // throws if a task failed
                lastStatusCheck = now;
            }
            m.heap.maybeSample(now);
            Thread.sleep(POLL_MS);
        }
    }

    private static Double worst(Map<String, Double> metrics, String name, int tasks) {
        Double worst = null;
        for (int task = 0; task < tasks; task++) {
            Double value = metrics.get(name + "#" + task);
            if (value != null && !value.isNaN() && !value.isInfinite()) {
                worst = worst == null ? value : Math.max(worst, value);
            }
        }
        return worst;
    }

    private static Long total(Map<String, Double> metrics, String name, int tasks) {
        Double sum = null;
        for (int task = 0; task < tasks; task++) {
            Double value = metrics.get(name + "#" + task);
            if (value != null && !value.isNaN()) {
                sum = sum == null ? value : sum + value;
            }
        }
        return sum == null ? null : Math.round(sum);
    }

    private record Progress(long first, long done) {
    }

    /** CPU and heap of the processes over one phase. */
    private final class Measurement {
        private final HeapWatch heap;
        private final Map<String, Double> cpuAtStart;

        Measurement(HeapWatch heap) {
            this.heap = heap;
            this.cpuAtStart = cpu();
        }

        /** The figures common to every sink run, between {@code first} and {@code end} (System.nanoTime()). */
        Figures.SinkRun finish(long first, long end) {
            double seconds = (end - first) / 1e9;
            Map<String, Double> cores = new LinkedHashMap<>();
            cpu().forEach((process, used) -> cores.put(process, used - cpuAtStart.get(process)));
            WorkerJmx.HeapWindow window = heap.window();
            return new Figures.SinkRun(null, null, null, null, 0, 0, 0, seconds, 0, 0, null, null, null, null, null,
                    null, null, null, null, null, null, null, null, null, heap.baseline(), window.maxUsedAfterGc(),
                    heap.liveMax(), window.collections(), worker.heap(), cores);
        }

        private Map<String, Double> cpu() {
            return ProcessCpu.stackSeconds(worker.pid(), broker.pid());
        }
    }
}
