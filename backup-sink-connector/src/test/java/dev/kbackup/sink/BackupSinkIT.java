package dev.kbackup.sink;

import dev.kbackup.format.BackupRecord;
import dev.kbackup.layout.BackupCatalog;
import dev.kbackup.layout.BackupLayout;
import dev.kbackup.layout.Manifest;
import dev.kbackup.storage.ObjectStore;
import dev.kbackup.storage.ObjectStores;
import dev.kbackup.testing.Await;
import dev.kbackup.testing.BackupConnectorConfig;
import dev.kbackup.testing.BackupContents;
import dev.kbackup.testing.ConnectClusters;
import dev.kbackup.testing.KafkaTestData;
import dev.kbackup.testing.S3ProxyFixture;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.connect.runtime.rest.entities.ConfigInfo;
import org.apache.kafka.connect.runtime.rest.entities.ConfigInfos;
import org.apache.kafka.connect.util.clusters.EmbeddedConnectCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import javax.management.MBeanServer;
import javax.management.ObjectName;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The backup of a varied data set through a real Connect worker into a real S3 API, checked byte for byte. */
class BackupSinkIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(90);
    private static S3ProxyFixture s3;
    private static EmbeddedConnectCluster connect;
    private static java.nio.file.Path stateRoot;

    @BeforeAll
    static void start() throws Exception {
        s3 = S3ProxyFixture.start();
        stateRoot = java.nio.file.Files.createTempDirectory("kbackup-sink-it");
        connect = ConnectClusters.start("backup-sink-it", 1, Map.of());
    }

    @AfterAll
    static void stop() throws Exception {
        if (connect != null) {
            connect.stop();
        }
        if (s3 != null) {
            s3.close();
        }
    }

    @Test
    void backsUpMixedRecordsByteForByte() {
        String bootstrap = connect.kafka().bootstrapServers();
        ConnectClusters.createTopic(connect, "mixed", 4, Map.of());
        ConnectClusters.createTopic(connect, "appended", 2, Map.of("message.timestamp.type", "LogAppendTime"));
        ConnectClusters.createTopic(connect, "compacted", 1, Map.of("cleanup.policy", "compact",
                "min.cleanable.dirty.ratio", "0.01", "segment.ms", "100", "delete.retention.ms", "0",
                "min.compaction.lag.ms", "0"));
        ConnectClusters.createTopic(connect, "txn", 2, Map.of());

        KafkaTestData.produceMixed(bootstrap, "mixed", 4, 4000, 1);
        KafkaTestData.produceMixed(bootstrap, "appended", 2, 600, 2);
        for (int round = 0; round < 5; round++) {
            // Separate rounds roll the log segment (segment.ms), so the cleaner has closed segments to compact.
            KafkaTestData.produceCompactable(bootstrap, "compacted", 40, 240, round);
            sleep(300);
        }
        KafkaTestData.produceTransactional(bootstrap, "txn", 2, 300, 50);
        Await.until(TIMEOUT, "compaction to leave gaps in 'compacted'", () -> hasOffsetGaps(
                ConnectClusters.readAll(bootstrap, "compacted", true, TIMEOUT)));

        Map<String, String> config = backupConfig("mixed-backup", "mixed,appended,compacted,txn");
        connect.configureConnector("mixed-backup", config);

        ObjectStore store = prefixedStore();
        BackupLayout layout = new BackupLayout("mixed-backup");
        Map<String, List<ConsumerRecord<byte[], byte[]>>> expected = new HashMap<>();
        for (String topic : List.of("mixed", "appended", "compacted", "txn")) {
            for (ConsumerRecord<byte[], byte[]> record : ConnectClusters.readAll(bootstrap, topic, true, TIMEOUT)) {
                expected.computeIfAbsent(record.topic() + "-" + record.partition(), k -> new java.util.ArrayList<>())
                        .add(record);
            }
        }
        long expectedCount = expected.values().stream().mapToLong(List::size).sum();
        Await.until(TIMEOUT, "the backup to hold all " + expectedCount + " records",
                () -> BackupContents.read(store, layout).recordCount() >= expectedCount,
                () -> "holds " + BackupContents.read(store, layout).recordCount());

        BackupContents backup = BackupContents.read(store, layout);
        expected.forEach((partition, records) -> {
            String topic = partition.substring(0, partition.lastIndexOf('-'));
            int number = Integer.parseInt(partition.substring(partition.lastIndexOf('-') + 1));
            KafkaTestData.assertSameRecords(partition, records, backup.records(topic, number));
        });
        assertTrue(backup.duplicateOffsets().isEmpty(), "duplicates: " + backup.duplicateOffsets());
        backup.assertCatalogComplete();
        assertTrue(backup.records("txn", 0).stream().noneMatch(r -> new String(r.key()).startsWith("aborted")),
                "aborted transaction records are not backed up");
        List<BackupRecord> appended = backup.records("appended", 0);
        assertTrue(appended.stream().allMatch(r -> r.timestampKind() == dev.kbackup.format.TimestampKind.LOG_APPEND_TIME));

        // The manifest and the indexes catch up within a sync interval and list every segment.
        Await.until(TIMEOUT, "the manifest to list every record", () -> new BackupCatalog(store, layout)
                .readManifest().map(Manifest::recordCount).orElse(0L) == expectedCount);
        Manifest manifest = new BackupCatalog(store, layout).readManifest().orElseThrow();
        assertEquals("mixed-backup", manifest.backupId());
        assertEquals(Set.of("mixed", "appended", "compacted", "txn"), manifest.topics().keySet());
        assertEquals(bootstrap, manifest.sourceCluster().bootstrapServers());
        assertTrue(manifest.sourceCluster().clusterId() != null, "the source cluster id is recorded");

        assertMetricsOnJmx("mixed-backup", expectedCount);
        connect.deleteConnector("mixed-backup");
    }

    @Test
    void connectorWithAnotherConverterIsRefusedNamingTheSetting() {
        Map<String, String> config = backupBuilder("string-backup", "strings")
                .set("value.converter", "org.apache.kafka.connect.storage.StringConverter")
                .build();
        config.remove("header.converter");
        Map<String, String> errors = errors(connect.validateConnectorConfig(BackupSinkConnector.class.getName(),
                config));
        assertTrue(errors.get("value.converter").contains(
                "set value.converter=org.apache.kafka.connect.converters.ByteArrayConverter"), errors.toString());
        assertTrue(errors.get("header.converter").contains("not set"), errors.toString());
        assertEquals(2, errors.size(), errors.toString());
    }

    @Test
    void aTopicRecreatedUnderTheSameBackupFailsTheTaskInsteadOfSkippingRecords() {
        ConnectClusters.createTopic(connect, "recreated", 1, Map.of());
        KafkaTestData.produceMixed(connect.kafka().bootstrapServers(), "recreated", 1, 100, 3);
        Map<String, String> config = backupConfig("recreated", "recreated");
        connect.configureConnector("recreated", config);
        ObjectStore store = prefixedStore();
        Await.until(TIMEOUT, "the first backup", () -> BackupContents.read(store, new BackupLayout("recreated"))
                .recordCount() == 100);
        connect.deleteConnector("recreated");
        connect.kafka().deleteTopic("recreated");
        Await.until(TIMEOUT, "the topic to be gone", () -> connect.kafka().describeTopics("recreated")
                .get("recreated").isEmpty());
        ConnectClusters.createTopic(connect, "recreated", 1, Map.of());
        KafkaTestData.produceMixed(connect.kafka().bootstrapServers(), "recreated", 1, 10, 4);

        connect.configureConnector("recreated", config);
        Await.until(TIMEOUT, "the task to fail", () -> !connect.connectorStatus("recreated").tasks().isEmpty()
                && "FAILED".equals(connect.connectorStatus("recreated").tasks().get(0).state()));
        String trace = connect.connectorStatus("recreated").tasks().get(0).trace();
        assertTrue(trace.contains("recreated-0") && trace.contains("re-created") && trace.contains("new backup.id"),
                trace);
        assertEquals(100, BackupContents.read(store, new BackupLayout("recreated")).recordCount(),
                "the old backup is left as it was");
        connect.deleteConnector("recreated");
    }

    @Test
    void aTaskWithAnEmptyStateDirRestoresItsSideStoreFromStorage() throws Exception {
        ConnectClusters.createTopic(connect, "stateful", 2, Map.of());
        KafkaTestData.produceMixed(connect.kafka().bootstrapServers(), "stateful", 2, 300, 8);
        Map<String, String> config = backupConfig("stateful", "stateful");
        java.nio.file.Path stateDir = java.nio.file.Path.of(config.get("state.dir"));
        ObjectStore store = prefixedStore();
        BackupLayout layout = new BackupLayout("stateful");
        connect.configureConnector("stateful", config);
        Await.until(TIMEOUT, "the backup", () -> BackupContents.read(store, layout).recordCount() == 300);
        // Stopping uploads the side-store; then the worker's local copy is lost.
        connect.deleteConnector("stateful");
        java.nio.file.Path copy = java.nio.file.Files.createTempFile("stateful-copy", ".db");
        Await.until(TIMEOUT, "the final side-store copy in storage", () -> {
            byte[] bytes = store.readIfExists(layout.stateKey("stateful-task-0.db")).orElse(new byte[0]);
            try {
                java.nio.file.Files.write(copy, bytes);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            return bytes.length > 0 && recordsBackedUp(copy) == 300;
        });
        deleteRecursively(stateDir);

        connect.configureConnector("stateful", config);
        java.nio.file.Path db = stateDir.resolve("stateful").resolve("stateful-task-0.db");
        Await.until(TIMEOUT, "the side-store to be restored", () -> java.nio.file.Files.exists(db));
        Await.until(TIMEOUT, "the restored side-store to show the earlier progress",
                () -> recordsBackedUp(db) == 300, () -> "records_backed_up = " + recordsBackedUp(db));
        connect.deleteConnector("stateful");
    }

    private static long recordsBackedUp(java.nio.file.Path db) {
        try (java.sql.Connection connection = java.sql.DriverManager.getConnection("jdbc:sqlite:" + db);
             java.sql.ResultSet rs = connection.createStatement().executeQuery(
                     "SELECT COALESCE(SUM(records_backed_up), 0) FROM partition_progress")) {
            return rs.next() ? rs.getLong(1) : -1;
        } catch (java.sql.SQLException e) {
            return -1;
        }
    }

    private static void deleteRecursively(java.nio.file.Path dir) throws java.io.IOException {
        if (java.nio.file.Files.exists(dir)) {
            try (var paths = java.nio.file.Files.walk(dir)) {
                for (java.nio.file.Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    java.nio.file.Files.delete(path);
                }
            }
        }
    }

    @Test
    void validateReportsEachBadSettingOnItsField() {
        Map<String, String> config = backupBuilder("bad", "mixed")
                .prefix("../escape")
                .set("compression.level", "30")
                .segmentMaxBytes(2 * 1024 * 1024)
                .set("s3.part.size.bytes", Integer.toString(8 * 1024 * 1024))
                .set("header.converter", "org.apache.kafka.connect.storage.SimpleHeaderConverter")
                .build();
        config.remove("backup.id");
        Map<String, String> errors = errors(connect.validateConnectorConfig(BackupSinkConnector.class.getName(),
                config));
        assertTrue(errors.get("backup.id").contains("backup.id is required"), errors.toString());
        assertTrue(errors.get("storage.prefix").contains("'..'"), errors.toString());
        assertTrue(errors.get("compression.level").contains("22"), errors.toString());
        assertFalse(errors.containsKey("segment.max.bytes"), "a segment smaller than a part is one PUT: " + errors);
        assertTrue(errors.get("header.converter").contains("ByteArrayConverter"), errors.toString());

        Map<String, String> unreachable = backupBuilder("nobucket", "mixed").set("s3.bucket", "no-such-bucket")
                .build();
        Map<String, String> bucketErrors = errors(connect.validateConnectorConfig(
                BackupSinkConnector.class.getName(), unreachable));
        assertTrue(bucketErrors.get("s3.bucket").contains("no-such-bucket"), bucketErrors.toString());

        Map<String, String> fileConfig = backupBuilder("files", "mixed")
                .set("storage.type", "filesystem")
                .set("filesystem.path", "/proc/kbackup-cannot-write-here")
                .build();
        Map<String, String> pathErrors = errors(connect.validateConnectorConfig(
                BackupSinkConnector.class.getName(), fileConfig));
        assertTrue(pathErrors.containsKey("filesystem.path"), pathErrors.toString());

        Map<String, String> escaping = backupBuilder("escape", "mixed").set("backup.id", "../other-backup").build();
        assertTrue(errors(connect.validateConnectorConfig(BackupSinkConnector.class.getName(), escaping))
                .get("backup.id").contains("letters, digits"));

        Map<String, String> unknownType = backupBuilder("tape", "mixed").set("storage.type", "tape").build();
        assertTrue(errors(connect.validateConnectorConfig(BackupSinkConnector.class.getName(), unknownType))
                .containsKey("storage.type"));

        Map<String, String> good = backupConfig("good", "mixed");
        assertEquals(Map.of(), errors(connect.validateConnectorConfig(BackupSinkConnector.class.getName(), good)));
    }

    /** The store as the connectors see it, rooted at storage.prefix "it". */
    private static ObjectStore prefixedStore() {
        return ObjectStores.open(s3.storageSettings(Map.of("storage.prefix", "it")));
    }

    static Map<String, String> errors(ConfigInfos infos) {
        Map<String, String> errors = new HashMap<>();
        for (ConfigInfo info : infos.configs()) {
            if (info.configValue() != null && !info.configValue().errors().isEmpty()) {
                errors.put(info.configValue().name(), String.join("; ", info.configValue().errors()));
            }
        }
        return errors;
    }

    private static Map<String, String> backupConfig(String backupId, String topics) {
        return backupBuilder(backupId, topics).build();
    }

    private static BackupConnectorConfig backupBuilder(String backupId, String topics) {
        return BackupConfigs.builder(s3.connectorConfig(), backupId, topics, connect.kafka().bootstrapServers(),
                stateRoot.resolve(backupId));
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static boolean hasOffsetGaps(List<ConsumerRecord<byte[], byte[]>> records) {
        for (int i = 1; i < records.size(); i++) {
            if (records.get(i).offset() != records.get(i - 1).offset() + 1) {
                return true;
            }
        }
        return false;
    }

    private static void assertMetricsOnJmx(String connector, long records) {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        Await.until(TIMEOUT, "JMX to show the backup's record count", () -> {
            try {
                for (ObjectName name : BackupConfigs.taskMBeans(connector)) {
                    Object total = server.getAttribute(name, "records-in-total");
                    if (total instanceof Double value && value.longValue() == records) {
                        Object ratio = server.getAttribute(name, "compression-ratio");
                        Object p99 = server.getAttribute(name, "checkpoint-latency-p99");
                        return ratio instanceof Double r && r > 1.0 && p99 instanceof Double;
                    }
                }
                return false;
            } catch (javax.management.JMException e) {
                throw new IllegalStateException(e);
            }
        }, () -> "MBeans: " + queryQuietly(server, connector));
    }

    private static String queryQuietly(MBeanServer server, String connector) {
        try {
            return server.queryNames(new ObjectName("kafka.connect:type=plugins,*"), null).stream()
                    .map(ObjectName::toString).collect(Collectors.joining(", "));
        } catch (Exception e) {
            return e.toString();
        }
    }
}
