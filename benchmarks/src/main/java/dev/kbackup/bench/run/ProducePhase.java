package dev.kbackup.bench.run;

import dev.kbackup.bench.cluster.ConnectWorker;
import dev.kbackup.bench.cluster.DriverCpu;
import dev.kbackup.bench.cluster.KafkaBroker;
import dev.kbackup.bench.cluster.ProcessCpu;
import dev.kbackup.bench.cluster.WorkerJmx;
import dev.kbackup.bench.data.DataFile;
import dev.kbackup.testing.RestoreConnectorConfig;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The restore side: a plain producer writing the data set into a new topic (the ceiling), then the restore source
 * writing the backup of the same data set into another new topic.
 */
final class ProducePhase {

    private static final Duration TIMEOUT = Duration.ofMinutes(30);

    private final ConnectWorker worker;
    private final KafkaBroker broker;
    private final Map<String, String> s3Config;

    ProducePhase(ConnectWorker worker, KafkaBroker broker, Map<String, String> s3Config) {
        this.worker = worker;
        this.broker = broker;
        this.s3Config = s3Config;
    }

    /**
     * The plain producer in this JVM. Nothing else runs here meanwhile (S3Proxy is idle between the backups and
     * the restores), and its own CPU is told apart from the idle threads' by {@link DriverCpu}.
     */
    Figures.ProduceRun producerCeiling(DataFile data, int partitions) throws Exception {
        String topic = "ceiling-" + data.dataSet().id();
        broker.createTopic(topic, partitions);
        Map<String, Double> cpu = cpu();
        DriverCpu driver = DriverCpu.start();
        double seconds = TopicLoader.load(broker.bootstrapServers(), data, topic, partitions);
        DriverCpu.Used producer = driver.used();
        Map<String, Double> cores = cpuSince(cpu);
        return new Figures.ProduceRun("restore-ceiling", data.dataSet().id(), "kafka-producer", 1, data.records(),
                data.payloadBytes(), seconds, data.payloadBytes() / 1e6 / seconds, data.records() / seconds, null,
                Map.of("acks", "all", "linger.ms", Integer.toString(TopicLoader.LINGER_MS), "batch.size",
                        Integer.toString(TopicLoader.BATCH_BYTES), "compression.type", "none"), cores,
                producer.workSeconds(), producer.otherThreadsSeconds(), null, null, null, null);
    }

    /**
     * Restores backup {@code backupId} of {@code sourceTopic} into a new topic; the rate runs from the first record
     * acknowledged to the last (the restore's own records-restored-total).
     */
    Figures.ProduceRun restore(String label, String backupId, DataFile data, String sourceTopic, int partitions,
                               int tasks, Map<String, String> producerOverrides, Figures.ProduceRun ceiling)
            throws Exception {
        return restore(label, backupId, data, sourceTopic, partitions, tasks, producerOverrides, Map.of(), ceiling,
                false);
    }

    /**
     * Like the other, with {@code secretSettings} (encryption keys) added to the config but not to the figures, and
     * with {@code sampleLiveHeap} the worker's live heap high-water measured (a full collection every
     * {@value HeapWatch#LIVE_SAMPLE_MS} ms, which slows the restore down).
     */
    Figures.ProduceRun restore(String label, String backupId, DataFile data, String sourceTopic, int partitions,
                               int tasks, Map<String, String> producerOverrides, Map<String, String> secretSettings,
                               Figures.ProduceRun ceiling, boolean sampleLiveHeap) throws Exception {
        String target = label + "-" + data.dataSet().id();
        String name = "restore-" + label + "-" + data.dataSet().id();
        Map<String, String> config = RestoreConnectorConfig.of("dev.kbackup.restore.RestoreSourceConnector", backupId)
                .storage(s3Config)
                .tasks(tasks)
                .prefix(SinkPhase.STORAGE_PREFIX)
                .topics(sourceTopic)
                .topicMapping(sourceTopic + ":" + target)
                .createTopics()
                .cluster(broker.bootstrapServers())
                .build();
        config.putAll(producerOverrides);
        config.putAll(secretSettings);
        HeapWatch heap = HeapWatch.start(worker.jmx(), sampleLiveHeap);
        Map<String, Double> cpu = cpu();
        long created = System.nanoTime();
        worker.createConnector(name, config);
        long deadline = created + TIMEOUT.toNanos();
        long first = 0;
        long lastStatusCheck = created;
        long done;
        while (true) {
            double restored = worker.jmx().sum(name, tasks, "records-restored-total").orElse(0);
            long now = System.nanoTime();
            if (restored > 0 && first == 0) {
                first = now;
            }
            if (restored >= data.records()) {
                done = now;
                break;
            }
            if (now > deadline) {
                throw new IllegalStateException(name + " restored " + (long) restored + " of " + data.records()
                        + " records in " + TIMEOUT);
            }
            if (now - lastStatusCheck > 2_000_000_000L) {
                worker.checkAlive();
                worker.status(name);
                lastStatusCheck = now;
            }
            heap.maybeSample(now);
            Thread.sleep(SinkPhase.POLL_MS);
        }
        Map<String, Double> cores = cpuSince(cpu);
        WorkerJmx.HeapWindow heapWindow = heap.window();
        long inTarget = broker.endOffsets(target, partitions);
        if (inTarget != data.records()) {
            throw new IllegalStateException(target + " holds " + inTarget + " records, expected " + data.records());
        }
        worker.deleteConnector(name);
        double seconds = (done - first) / 1e9;
        double mbPerSecond = data.payloadBytes() / 1e6 / seconds;
        Map<String, String> settings = new LinkedHashMap<>();
        producerOverrides.forEach(settings::put);
        String producer = label.equals(BenchmarkRun.ENCRYPTED_PHASE) ? "restore+enc" : "restore-source";
        return new Figures.ProduceRun(label, data.dataSet().id(), producer, tasks, data.records(),
                data.payloadBytes(), seconds, mbPerSecond, data.records() / seconds,
                ceiling == null ? null : mbPerSecond / ceiling.mbPerSecond(), settings, cores, null, null,
                heap.baseline(), heapWindow.maxUsedAfterGc(), heap.liveMax(), worker.heap());
    }

    private Map<String, Double> cpu() {
        return ProcessCpu.stackSeconds(worker.pid(), broker.pid());
    }

    private Map<String, Double> cpuSince(Map<String, Double> before) {
        Map<String, Double> used = new LinkedHashMap<>();
        cpu().forEach((process, now) -> used.put(process, now - before.get(process)));
        return used;
    }
}
