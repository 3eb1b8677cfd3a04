package dev.kbackup.e2e;

import dev.kbackup.format.BackupRecord;
import dev.kbackup.layout.BackupLayout;
import dev.kbackup.restore.RestoreSourceConnector;
import dev.kbackup.sink.BackupSinkConnector;
import dev.kbackup.storage.ObjectStore;
import dev.kbackup.storage.ObjectStores;
import dev.kbackup.storage.StorageSettings;
import dev.kbackup.testing.Await;
import dev.kbackup.testing.BackupConnectorConfig;
import dev.kbackup.testing.BackupContents;
import dev.kbackup.testing.ConnectClusters;
import dev.kbackup.testing.KafkaTestData;
import dev.kbackup.testing.RestoreConnectorConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.connect.util.clusters.EmbeddedConnectCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The product's promise end to end: topics backed up by the sink and restored by the source into other topics come
 * back byte for byte (key, value, headers, timestamp, partition, order), for every codec the backend's subclass
 * names. Written once and run against each storage backend; one cluster per class.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class AbstractBackupAndRestoreIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(120);
    private static final List<String> TOPICS = List.of("orders", "audit", "compacted", "payments");
    private static final String PREFIX = "e2e";
    private Map<String, String> storage;
    private EmbeddedConnectCluster connect;
    private ObjectStore store;
    private String bootstrap;
    private Path stateDir;

    /** Starts the backend and returns the connectors' storage keys for it (storage.type and its settings). */
    protected abstract Map<String, String> startStorage() throws Exception;

    protected abstract void stopStorage() throws Exception;

    /** The codecs to round-trip: codecs do not depend on the backend, so one backend covers them all. */
    protected abstract List<String> codecs();

    @BeforeAll
    void start() throws Exception {
        storage = startStorage();
        Map<String, String> prefixed = new HashMap<>(storage);
        prefixed.put("storage.prefix", PREFIX);
        store = ObjectStores.open(StorageSettings.parse(prefixed));
        connect = ConnectClusters.start("backup-restore-it", 1, Map.of());
        bootstrap = connect.kafka().bootstrapServers();
        stateDir = Files.createTempDirectory("kbackup-e2e-state");

        ConnectClusters.createTopic(connect, "orders", 4, Map.of());
        ConnectClusters.createTopic(connect, "audit", 2, Map.of("message.timestamp.type", "LogAppendTime"));
        ConnectClusters.createTopic(connect, "compacted", 1, Map.of("cleanup.policy", "compact",
                "min.cleanable.dirty.ratio", "0.01", "segment.ms", "100", "delete.retention.ms", "0",
                "min.compaction.lag.ms", "0"));
        ConnectClusters.createTopic(connect, "payments", 2, Map.of());
        KafkaTestData.produceMixed(bootstrap, "orders", 4, 3000, 11);
        KafkaTestData.produceMixed(bootstrap, "audit", 2, 500, 12);
        for (int round = 0; round < 4; round++) {
            KafkaTestData.produceCompactable(bootstrap, "compacted", 30, 200, round);
            Thread.sleep(300);
        }
        KafkaTestData.produceTransactional(bootstrap, "payments", 2, 400, 60);
    }

    @AfterAll
    void stop() throws Exception {
        if (connect != null) {
            connect.stop();
        }
        if (store != null) {
            store.close();
        }
        if (storage != null) {
            stopStorage();
        }
    }

    @ParameterizedTest
    @MethodSource("codecs")
    void restoredTopicsEqualTheOriginalsByteForByte(String codec) {
        String backupId = "e2e-" + codec;
        BackupContents backup = backUp(backupId, codec);

        Map<String, String> restore = restoreConfig(backupId, "restore-" + codec)
                .topicMapping(TOPICS.stream().map(t -> t + ":" + t + "-" + codec).collect(Collectors.joining(",")))
                .build();
        connect.configureConnector("restore-" + codec, restore);

        for (String topic : TOPICS) {
            String target = topic + "-" + codec;
            long expected = countRecords(backup, topic);
            Await.until(TIMEOUT, target + " to hold " + expected + " records",
                    () -> ConnectClusters.readAll(bootstrap, target, true, TIMEOUT).size() >= expected);
            Map<Integer, List<ConsumerRecord<byte[], byte[]>>> restored = byPartition(
                    ConnectClusters.readAll(bootstrap, target, true, TIMEOUT));
            for (int partition = 0; partition < partitionsOf(topic); partition++) {
                KafkaTestData.assertRestored(backup.records(topic, partition),
                        restored.getOrDefault(partition, List.of()), topic, partition, true);
            }
            if (!topic.equals("compacted")) {
                assertBackupEqualsKafka(backup, topic);
            }
        }
        connect.deleteConnector("restore-" + codec);
    }

    @Test
    void pointInTimeRestoreReturnsExactlyTheRecordsInsideTheWindow() {
        BackupContents backup = backUp("e2e-window", "zstd");
        List<BackupRecord> all = new ArrayList<>();
        for (int partition = 0; partition < 4; partition++) {
            all.addAll(backup.records("orders", partition));
        }
        List<Long> timestamps = all.stream().map(BackupRecord::timestamp).sorted().toList();
        // Bounds inside the data, so the window starts and ends in the middle of segments and blocks.
        long start = timestamps.get(timestamps.size() / 4);
        long end = timestamps.get(timestamps.size() * 3 / 4);

        Map<String, String> restore = restoreConfig("e2e-window", "restore-window")
                .topics("orders")
                .topicMapping("orders:orders-window")
                .set("restore.time.start", Instant.ofEpochMilli(start).toString())
                .set("restore.time.end", Long.toString(end))
                .build();
        connect.configureConnector("restore-window", restore);

        long expected = all.stream().filter(r -> r.timestamp() >= start && r.timestamp() < end).count();
        Await.until(TIMEOUT, "orders-window to hold " + expected + " records",
                () -> ConnectClusters.readAll(bootstrap, "orders-window", true, TIMEOUT).size() >= expected);
        Map<Integer, List<ConsumerRecord<byte[], byte[]>>> restored = byPartition(
                ConnectClusters.readAll(bootstrap, "orders-window", true, TIMEOUT));
        for (int partition = 0; partition < 4; partition++) {
            List<BackupRecord> inWindow = backup.records("orders", partition).stream()
                    .filter(r -> r.timestamp() >= start && r.timestamp() < end).toList();
            KafkaTestData.assertRestored(inWindow, restored.getOrDefault(partition, List.of()), "orders", partition,
                    true);
        }
        connect.deleteConnector("restore-window");
    }

    private BackupContents backUp(String backupId, String codec) {
        Map<String, String> config = BackupConnectorConfig.of(BackupSinkConnector.class, backupId,
                        String.join(",", TOPICS))
                .name(backupId)
                .minimumPartSize()
                .storage(storage)
                .prefix(PREFIX)
                .tasks(2)
                .codec(codec)
                .segmentMaxBytes(6L * 1024 * 1024)
                .blockBytes(64 * 1024)
                .stateDir(stateDir.resolve(backupId))
                .cluster(bootstrap)
                // no snapshot: restored topics get broker defaults, so the compacted copy is not compacted mid-test
                .set("snapshot.interval.ms", "0")
                .build();
        connect.configureConnector(backupId, config);

        BackupLayout layout = new BackupLayout(backupId);
        long expected = TOPICS.stream().mapToLong(t -> ConnectClusters.readAll(bootstrap, t, true, TIMEOUT).size())
                .sum();
        Await.until(TIMEOUT, "backup " + backupId + " to hold " + expected + " records",
                () -> BackupContents.read(store, layout).recordCount() >= expected);
        // Stopping the backup publishes its indexes and manifest.
        connect.deleteConnector(backupId);
        Await.until(TIMEOUT, "the manifest of " + backupId, () -> store.stat(layout.manifestKey()).isPresent());
        BackupContents backup = BackupContents.read(store, layout);
        assertEquals(Map.of(), backup.duplicateOffsets());
        backup.assertCatalogComplete();
        return backup;
    }

    private RestoreConnectorConfig restoreConfig(String backupId, String name) {
        return RestoreConnectorConfig.of(RestoreSourceConnector.class, backupId)
                .name(name)
                .createTopics()
                .storage(storage)
                .prefix(PREFIX)
                .tasks(2)
                .cluster(bootstrap);
    }

    private void assertBackupEqualsKafka(BackupContents backup, String topic) {
        Map<Integer, List<ConsumerRecord<byte[], byte[]>>> source = byPartition(
                ConnectClusters.readAll(bootstrap, topic, true, TIMEOUT));
        source.forEach((partition, records) -> KafkaTestData.assertSameRecords(topic + "-" + partition, records,
                backup.records(topic, partition)));
    }

    private long countRecords(BackupContents backup, String topic) {
        long count = 0;
        for (int partition = 0; partition < partitionsOf(topic); partition++) {
            count += backup.records(topic, partition).size();
        }
        return count;
    }

    private static int partitionsOf(String topic) {
        return switch (topic) {
            case "orders" -> 4;
            case "audit", "payments" -> 2;
            default -> 1;
        };
    }

    private static Map<Integer, List<ConsumerRecord<byte[], byte[]>>> byPartition(
            List<ConsumerRecord<byte[], byte[]>> records) {
        return records.stream().collect(Collectors.groupingBy(ConsumerRecord::partition));
    }
}
