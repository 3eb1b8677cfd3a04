package dev.kbackup.e2e;

import dev.kbackup.format.BackupRecord;
import dev.kbackup.layout.BackupLayout;
import dev.kbackup.restore.RestoreSourceConnector;
import dev.kbackup.sink.BackupSinkConnector;
import dev.kbackup.storage.ObjectStore;
import dev.kbackup.storage.ObjectStores;
import dev.kbackup.testing.Await;
import dev.kbackup.testing.BackupContents;
import dev.kbackup.testing.ConnectClusters;
import dev.kbackup.testing.KafkaTestData;
import dev.kbackup.testing.S3ProxyFixture;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.connect.util.clusters.EmbeddedConnectCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

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
 * back byte for byte (key, value, headers, timestamp, partition, order), for every codec.
 */
class BackupAndRestoreIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(120);
    private static final List<String> TOPICS = List.of("orders", "audit", "compacted", "payments");
    private static S3ProxyFixture s3;
    private static EmbeddedConnectCluster connect;
    private static ObjectStore store;
    private static String bootstrap;
    private static Path stateDir;

    @BeforeAll
    static void start() throws Exception {
        s3 = S3ProxyFixture.start();
        store = ObjectStores.open(s3.storageSettings(Map.of("storage.prefix", "e2e")));
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
    static void stop() throws Exception {
        if (connect != null) {
            connect.stop();
        }
        if (store != null) {
            store.close();
        }
        if (s3 != null) {
            s3.close();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"zstd", "lz4", "none"})
    void restoredTopicsEqualTheOriginalsByteForByte(String codec) {
        String backupId = "e2e-" + codec;
        BackupContents backup = backUp(backupId, codec);

        Map<String, String> restore = restoreConfig(backupId, "restore-" + codec);
        restore.put("topic.mapping", TOPICS.stream().map(t -> t + ":" + t + "-" + codec)
                .collect(Collectors.joining(",")));
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

        Map<String, String> restore = restoreConfig("e2e-window", "restore-window");
        restore.put("topics", "orders");
        restore.put("topic.mapping", "orders:orders-window");
        restore.put("restore.time.start", Instant.ofEpochMilli(start).toString());
        restore.put("restore.time.end", Long.toString(end));
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

    private static BackupContents backUp(String backupId, String codec) {
        Map<String, String> config = new HashMap<>(s3.connectorConfig());
        config.put("name", backupId);
        config.put("connector.class", BackupSinkConnector.class.getName());
        config.put("tasks.max", "2");
        config.put("topics", String.join(",", TOPICS));
        config.putAll(ConnectClusters.BYTE_ARRAY_CONVERTERS);
        config.put("consumer.override.isolation.level", "read_committed");
        config.put("backup.id", backupId);
        config.put("storage.prefix", "e2e");
        config.put("compression.type", codec);
        config.put("segment.max.bytes", Long.toString(6L * 1024 * 1024));
        config.put("s3.part.size.bytes", Integer.toString(5 * 1024 * 1024));
        config.put("segment.block.bytes", Integer.toString(64 * 1024));
        config.put("segment.max.interval.ms", "1000");
        config.put("state.sync.interval.ms", "1000");
        config.put("state.dir", stateDir.resolve(backupId).toString());
        config.put("cluster.bootstrap.servers", bootstrap);
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

    private static Map<String, String> restoreConfig(String backupId, String name) {
        Map<String, String> config = new HashMap<>(s3.connectorConfig());
        config.put("name", name);
        config.put("connector.class", RestoreSourceConnector.class.getName());
        config.put("tasks.max", "2");
        config.putAll(ConnectClusters.BYTE_ARRAY_CONVERTERS);
        config.put("backup.id", backupId);
        config.put("storage.prefix", "e2e");
        config.put("restore.create.topics", "true");
        config.put("cluster.bootstrap.servers", bootstrap);
        return config;
    }

    private static void assertBackupEqualsKafka(BackupContents backup, String topic) {
        Map<Integer, List<ConsumerRecord<byte[], byte[]>>> source = byPartition(
                ConnectClusters.readAll(bootstrap, topic, true, TIMEOUT));
        source.forEach((partition, records) -> KafkaTestData.assertSameRecords(topic + "-" + partition, records,
                backup.records(topic, partition)));
    }

    private static long countRecords(BackupContents backup, String topic) {
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
