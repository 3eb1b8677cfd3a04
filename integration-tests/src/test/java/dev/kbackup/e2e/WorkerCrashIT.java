package dev.kbackup.e2e;

import dev.kbackup.layout.BackupCatalog;
import dev.kbackup.layout.BackupLayout;
import dev.kbackup.layout.Manifest;
import dev.kbackup.restore.RestoreSourceConnector;
import dev.kbackup.sink.BackupSinkConnector;
import dev.kbackup.storage.ObjectStore;
import dev.kbackup.storage.ObjectStores;
import dev.kbackup.testing.Await;
import dev.kbackup.testing.BackupConnectorConfig;
import dev.kbackup.testing.BackupContents;
import dev.kbackup.testing.ConnectClusters;
import dev.kbackup.testing.ContinuousProducer;
import dev.kbackup.testing.KafkaTestData;
import dev.kbackup.testing.RestoreConnectorConfig;
import dev.kbackup.testing.S3ProxyFixture;
import dev.kbackup.testing.WorkerProcess;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.connect.util.clusters.EmbeddedKafkaCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Connect workers as separate JVMs, killed with SIGKILL in the middle of the work (no task stop, no flush, uploads
 * cut off mid-part) or frozen with SIGSTOP and resumed as zombies: the backup still holds every offset exactly
 * once, its catalog lists every segment, and an exactly-once restore still delivers every original offset exactly
 * once to a read_committed consumer.
 */
class WorkerCrashIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(180);
    private static final String GROUP = "kbackup-crash-it";
    private static EmbeddedKafkaCluster kafka;
    private static S3ProxyFixture s3;
    private static ObjectStore store;
    private static Path workDir;
    private static final List<WorkerProcess> workers = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        kafka = ConnectClusters.startKafka();
        s3 = S3ProxyFixture.start();
        store = ObjectStores.open(s3.storageSettings(Map.of("storage.prefix", "crash")));
        workDir = Files.createTempDirectory("kbackup-crash-it");
        workers.add(startWorker("worker-a"));
        workers.add(startWorker("worker-b"));
    }

    @AfterAll
    static void stop() throws Exception {
        workers.forEach(WorkerProcess::close);
        if (store != null) {
            store.close();
        }
        if (s3 != null) {
            s3.close();
        }
        if (kafka != null) {
            kafka.stop();
        }
    }

    @Test
    void backupSurvivesWorkersKilledMidStream() throws Exception {
        String bootstrap = kafka.bootstrapServers();
        ConnectClusters.createTopic(kafka, "crash", 4, Map.of());
        BackupLayout layout = new BackupLayout("crash");
        Map<String, String> config = backupConfig("crash", "crash");

        try (ContinuousProducer producer = ContinuousProducer.start(bootstrap, "crash", 4, 1500)) {
            workers.get(0).putConnector("crash", config);
            awaitBackup(layout, 3000);
            // SIGKILL the first worker; its tasks move to the second after the group notices.
            workers.remove(0).kill();
            awaitBackup(layout, 9000);
            workers.add(startWorker("worker-c"));
            awaitBackup(layout, 12_000);
            workers.remove(0).kill();
            awaitBackup(layout, 18_000);
            workers.add(startWorker("worker-d"));
            awaitBackup(layout, 21_000);
        }
        Await.until(TIMEOUT, "the backup to catch up",
                () -> KafkaTestData.holdsAll(BackupContents.read(store, layout), bootstrap, "crash"));
        KafkaTestData.assertExactlyOnce(BackupContents.read(store, layout), bootstrap, "crash");
    }

    /**
     * A worker frozen while it owns partitions and holds complete segments it has not published: the group moves
     * its partitions to the other worker, which recovers those segments and extends the indexes; then the frozen
     * worker resumes as a zombie, finishes what it was doing and publishes its stale pending set after the takeover.
     */
    @Test
    void aFrozenWorkerThatResumesAsAZombieLosesNothingAndOverwritesNothing() throws Exception {
        String bootstrap = kafka.bootstrapServers();
        ConnectClusters.createTopic(kafka, "zombie", 4, Map.of());
        BackupLayout layout = new BackupLayout("zombie");
        CatalogWatch watch = new CatalogWatch(store, layout, "zombie");
        Map<String, String> config = backupConfig("zombie", "zombie");
        config.put("tasks.max", "1"); // one task owns every partition, so the frozen worker owns them all
        config.put("segment.max.interval.ms", "500");
        // Long enough that a frozen worker almost always holds unpublished segments, short enough that the zombie
        // publishes them soon after it resumes.
        config.put("state.sync.interval.ms", "4000");
        config.put("consumer.override.session.timeout.ms", "6000");
        config.put("consumer.override.heartbeat.interval.ms", "1000");
        Map<String, String> fastGroup = Map.of("session.timeout.ms", "6000", "heartbeat.interval.ms", "1000",
                "scheduled.rebalance.max.delay.ms", "2000");
        try (WorkerProcess first = startWorker("zombie-a", GROUP + "-zombie", fastGroup);
             WorkerProcess second = startWorker("zombie-b", GROUP + "-zombie", fastGroup)) {
            try (ContinuousProducer producer = ContinuousProducer.start(bootstrap, "zombie", 4, 1500)) {
                first.putConnector("zombie", config);
                Await.until(TIMEOUT, "the backup task to run", () -> taskStates(first).size() == 1
                        && taskStates(first).get(0).startsWith("RUNNING@"), () -> "tasks: " + taskStates(first));
                boolean onFirst = taskStates(first).get(0).equals("RUNNING@127.0.0.1:" + first.restUri("/").getPort());
                WorkerProcess frozen = onFirst ? first : second;
                WorkerProcess other = onFirst ? second : first;
                awaitBackup(layout, 3000);
                Await.until(TIMEOUT, "complete but unpublished segments in most partitions of the frozen worker",
                        () -> watch.partitionsWithUnpublishedSegments() >= 3);
                frozen.pause();
                Map<Integer, String> lastBeforePause = watch.lastStoredSegments();
                Await.until(TIMEOUT, "the other worker to take over and index new segments in every partition",
                        () -> watch.indexedBeyond(lastBeforePause), () -> "stored at the pause: " + lastBeforePause
                                + ", tasks: " + taskStates(other));
                Set<String> piecesBeforeResume = watch.pieces();
                frozen.resume();
                Await.until(TIMEOUT, "the zombie to publish its stale pending segments after the takeover",
                        () -> !watch.republishedSince(piecesBeforeResume).isEmpty());
                awaitBackup(layout, BackupContents.read(store, layout).recordCount() + 3000);
            }
            Await.until(TIMEOUT, "the backup to catch up", () -> {
                watch.checkNoSegmentChanged();
                return KafkaTestData.holdsAll(BackupContents.read(store, layout), bootstrap, "zombie");
            });
            // The catalog lists every stored segment as it was indexed, and through it every offset is there once.
            BackupContents backup = BackupContents.read(store, layout);
            backup.assertCatalogComplete();
            KafkaTestData.assertExactlyOnce(backup, bootstrap, "zombie");
            watch.checkNoSegmentChanged();
        }
    }

    /** The zombie connector's task states as {@code STATE@worker}, or empty while the worker does not answer. */
    private static List<String> taskStates(WorkerProcess worker) {
        try {
            return worker.taskStates("zombie");
        } catch (Exception e) {
            return List.of();
        }
    }

    @Test
    void exactlyOnceRestoreSurvivesAWorkerKilledMidRestore() throws Exception {
        String bootstrap = kafka.bootstrapServers();
        ConnectClusters.createTopic(kafka, "ledger", 3, Map.of());
        try (ContinuousProducer producer = ContinuousProducer.start(bootstrap, "ledger", 3, 3000)) {
            Thread.sleep(4000);
        }
        List<ConsumerRecord<byte[], byte[]>> originals = ConnectClusters.readAll(bootstrap, "ledger", true, TIMEOUT);
        BackupLayout layout = new BackupLayout("ledger");
        workers.get(0).putConnector("ledger-backup", backupConfig("ledger", "ledger"));
        awaitBackup(layout, originals.size());
        Await.until(TIMEOUT, "the manifest to list the backup", () -> new BackupCatalog(store, layout)
                .readManifest().map(Manifest::recordCount).orElse(0L) >= originals.size());

        Map<String, String> restore = RestoreConnectorConfig.of(RestoreSourceConnector.class, "ledger")
                .storage(s3.connectorConfig())
                .prefix("crash")
                .tasks(2)
                .topicMapping("ledger:ledger-restored")
                .createTopics()
                .cluster(bootstrap)
                .set("transaction.boundary", "connector")
                // Slow enough that the kill lands in the middle of the restore.
                .set("restore.max.bytes.per.second", "150000")
                .build();
        workers.get(0).putConnector("ledger-restore", restore);
        Await.until(TIMEOUT, "the restore to be under way",
                () -> ConnectClusters.readAll(bootstrap, "ledger-restored", true, TIMEOUT).size() > 1000);
        workers.remove(0).kill();
        workers.add(startWorker("worker-e"));

        Await.until(TIMEOUT, "the restore to finish", () -> ConnectClusters.readAll(bootstrap, "ledger-restored",
                true, TIMEOUT).size() >= originals.size(), () -> "restored " + ConnectClusters.readAll(bootstrap,
                "ledger-restored", true, TIMEOUT).size() + " of " + originals.size());
        Map<Integer, List<Long>> restoredOffsets = new TreeMap<>();
        for (ConsumerRecord<byte[], byte[]> record : ConnectClusters.readAll(bootstrap, "ledger-restored", true,
                TIMEOUT)) {
            restoredOffsets.computeIfAbsent(record.partition(), p -> new ArrayList<>())
                    .add(KafkaTestData.originalOffset(record));
        }
        Map<Integer, List<Long>> originalOffsets = originals.stream().collect(Collectors.groupingBy(
                ConsumerRecord::partition, TreeMap::new,
                Collectors.mapping(ConsumerRecord::offset, Collectors.toList())));
        assertEquals(originalOffsets, restoredOffsets,
                "a read_committed consumer sees every original offset exactly once, in order");
    }

    private static Map<String, String> backupConfig(String backupId, String topics) {
        return BackupConnectorConfig.of(BackupSinkConnector.class, backupId, topics)
                .storage(s3.connectorConfig())
                .prefix("crash")
                .tasks(2)
                .segmentMaxBytes(6L * 1024 * 1024)
                .minimumPartSize()
                .blockBytes(64 * 1024)
                .set("state.sync.interval.ms", "2000")
                .cluster(kafka.bootstrapServers())
                .build();
    }

    private static void awaitBackup(BackupLayout layout, long records) {
        Await.until(TIMEOUT, "backup " + layout.backupId() + " to hold " + records + " records",
                () -> BackupContents.read(store, layout).recordCount() >= records,
                () -> "holds " + BackupContents.read(store, layout).recordCount());
    }

    private static WorkerProcess startWorker(String name) throws Exception {
        return startWorker(name, GROUP, Map.of("session.timeout.ms", "10000", "heartbeat.interval.ms", "2000"));
    }

    private static WorkerProcess startWorker(String name, String group, Map<String, String> settings)
            throws Exception {
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Map<String, String> extra = new HashMap<>(settings);
        extra.put("exactly.once.source.support", "enabled");
        return WorkerProcess.start(name, classpath, workDir.resolve(name), kafka.bootstrapServers(), group, null,
                extra, "512m");
    }
}
