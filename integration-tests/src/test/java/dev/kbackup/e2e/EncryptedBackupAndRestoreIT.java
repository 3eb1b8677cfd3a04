package dev.kbackup.e2e;

import dev.kbackup.format.EncryptionKeys;
import dev.kbackup.format.SegmentInfo;
import dev.kbackup.layout.BackupLayout;
import dev.kbackup.layout.StoredSegment;
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
import dev.kbackup.testing.S3ConnectFixture;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.connect.runtime.rest.entities.ConfigInfo;
import org.apache.kafka.connect.runtime.rest.entities.ConfigInfos;
import org.apache.kafka.connect.util.clusters.EmbeddedConnectCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Client-side encryption end to end: a backup written with key A, rotated to key B while it runs, holds no readable
 * record in storage; a restore given B and A as a previous key brings every record back byte for byte, and a restore
 * without A fails its task naming key id A.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EncryptedBackupAndRestoreIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(120);
    private static final String TOPIC = "card-payments";
    private static final int PARTITIONS = 2;
    private static final String BACKUP_ID = "encrypted";
    private static final String PREFIX = "enc";
    private static final String MARKER = "kbackup-plaintext-marker";
    private static final String KEY_A = key(1);
    private static final String KEY_B = key(2);

    private S3ConnectFixture fixture;
    private EmbeddedConnectCluster connect;
    private ObjectStore store;
    private String bootstrap;
    private Path stateDir;
    private BackupContents backup;
    private long expectedRecords;

    @BeforeAll
    void start() throws Exception {
        fixture = S3ConnectFixture.start("encryption-it", 1, Map.of());
        connect = fixture.connect();
        bootstrap = connect.kafka().bootstrapServers();
        Map<String, String> prefixed = new HashMap<>(fixture.s3().connectorConfig());
        prefixed.put("storage.prefix", PREFIX);
        store = ObjectStores.open(StorageSettings.parse(prefixed));
        stateDir = Files.createTempDirectory("kbackup-encryption-state");
        ConnectClusters.createTopic(connect, TOPIC, PARTITIONS, Map.of());
    }

    @AfterAll
    void stop() {
        if (store != null) {
            store.close();
        }
        if (fixture != null) {
            fixture.close();
        }
    }

    @Test
    @Order(1)
    void aBackupRotatedFromKeyAToKeyBStoresNoReadableRecord() {
        KafkaTestData.produceMixed(bootstrap, TOPIC, PARTITIONS, 1500, 21);
        produceMarked(0, 300);
        connect.configureConnector(BACKUP_ID, backupConfig(Map.of("encryption.key", KEY_A,
                "encryption.key.id", "key-a")));
        awaitBackedUp(1800, EncryptionKeys.of("key-a", Map.of("key-a", bytes(KEY_A))));

        // Rotation: key B becomes current, A stays readable as a previous key; the tasks restart with it.
        connect.configureConnector(BACKUP_ID, backupConfig(Map.of("encryption.key", KEY_B,
                "encryption.key.id", "key-b", "encryption.previous.keys", "key-a:" + KEY_A)));
        EncryptionKeys both = EncryptionKeys.of("key-b", Map.of("key-b", bytes(KEY_B), "key-a", bytes(KEY_A)));
        int[] marked = {300};
        // the old tasks may take records sent before they stop: send small batches until a segment names key B
        Await.until(TIMEOUT, "a segment encrypted with key B", () -> {
            produceMarked(marked[0], 10);
            marked[0] += 10;
            return keyIds(BackupContents.read(store, new BackupLayout(BACKUP_ID), both)).contains("key-b");
        });
        KafkaTestData.produceMixed(bootstrap, TOPIC, PARTITIONS, 1000, 22);
        produceMarked(marked[0], 200);
        expectedRecords = 1500 + 1000 + marked[0] + 200;
        awaitBackedUp(expectedRecords, both);
        connect.deleteConnector(BACKUP_ID);
        BackupLayout layout = new BackupLayout(BACKUP_ID);
        Await.until(TIMEOUT, "the manifest", () -> store.stat(layout.manifestKey()).isPresent());

        backup = BackupContents.read(store, layout, both);
        backup.assertCatalogComplete();
        assertEquals(expectedRecords, backup.recordCount());
        assertEquals(Set.of("key-a", "key-b"), keyIds(backup));
        for (int partition = 0; partition < PARTITIONS; partition++) {
            List<SegmentInfo> segments = backup.segments(TOPIC, partition);
            for (SegmentInfo segment : segments) {
                byte[] stored = readObject(segment.key());
                assertFalse(new String(stored, StandardCharsets.ISO_8859_1).contains(MARKER),
                        segment.key() + " shows a record value in plain text");
            }
            SegmentInfo last = segments.get(segments.size() - 1);
            assertEquals("key-b", new StoredSegment(store, last.key(), last.sizeBytes()).footer().encryptionKeyId()
                    .orElseThrow(), "segments written after the rotation use key B");
            Map<Integer, List<ConsumerRecord<byte[], byte[]>>> source = byPartition(
                    ConnectClusters.readAll(bootstrap, TOPIC, true, TIMEOUT));
            KafkaTestData.assertSameRecords(TOPIC + "-" + partition, source.get(partition),
                    backup.records(TOPIC, partition));
        }
    }

    /** The key ids the footers of the backup's segments name. */
    private Set<String> keyIds(BackupContents contents) {
        Set<String> ids = new TreeSet<>();
        for (int partition = 0; partition < PARTITIONS; partition++) {
            for (SegmentInfo segment : contents.segments(TOPIC, partition)) {
                ids.add(new StoredSegment(store, segment.key(), segment.sizeBytes()).footer().encryptionKeyId()
                        .orElse("(unencrypted)"));
            }
        }
        return ids;
    }

    @Test
    @Order(2)
    void aRestoreWithKeyBAndPreviousKeyABringsEveryRecordBackByteForByte() {
        connect.configureConnector("restore-rotated", restoreConfig("restore-rotated")
                .topicMapping(TOPIC + ":" + TOPIC + "-restored")
                .set("encryption.key", KEY_B).set("encryption.key.id", "key-b")
                .set("encryption.previous.keys", "key-a:" + KEY_A)
                .build());
        String target = TOPIC + "-restored";
        Await.until(TIMEOUT, target + " to hold " + expectedRecords + " records",
                () -> ConnectClusters.readAll(bootstrap, target, true, TIMEOUT).size() >= expectedRecords);
        Map<Integer, List<ConsumerRecord<byte[], byte[]>>> restored = byPartition(
                ConnectClusters.readAll(bootstrap, target, true, TIMEOUT));
        for (int partition = 0; partition < PARTITIONS; partition++) {
            KafkaTestData.assertRestored(backup.records(TOPIC, partition), restored.get(partition), TOPIC, partition,
                    true);
        }
        connect.deleteConnector("restore-rotated");
    }

    @Test
    @Order(3)
    void aRestoreWithoutKeyAFailsItsTaskNamingKeyA() {
        connect.configureConnector("restore-without-a", restoreConfig("restore-without-a")
                .topicMapping(TOPIC + ":" + TOPIC + "-without-a")
                .set("encryption.key", KEY_B).set("encryption.key.id", "key-b")
                .build());
        Await.until(TIMEOUT, "the restore task to fail", () -> connect.connectorStatus("restore-without-a").tasks()
                .stream().anyMatch(task -> "FAILED".equals(task.state())));
        String trace = connect.connectorStatus("restore-without-a").tasks().stream()
                .filter(task -> "FAILED".equals(task.state())).findFirst().orElseThrow().trace();
        assertTrue(trace.contains("'key-a'") && trace.contains("encryption.previous.keys"), trace);
        assertFalse(trace.contains(KEY_A) || trace.contains(KEY_B), "the trace shows no key");
        connect.deleteConnector("restore-without-a");
    }

    @Test
    @Order(4)
    void validateShowsMalformedKeysOnTheirFieldsForBothConnectors() {
        Map<String, String> bad = Map.of("encryption.key", Base64.getEncoder().encodeToString(new byte[16]),
                "encryption.key.id", "key-c", "encryption.previous.keys", "key-a");
        Map<String, String> backupErrors = errors(connect.validateConnectorConfig(
                BackupSinkConnector.class.getName(), backupConfig(bad)));
        Map<String, String> restoreConfig = new HashMap<>(restoreConfig("validate").build());
        restoreConfig.putAll(bad);
        Map<String, String> restoreErrors = errors(connect.validateConnectorConfig(
                RestoreSourceConnector.class.getName(), restoreConfig));
        for (Map<String, String> errors : List.of(backupErrors, restoreErrors)) {
            assertTrue(errors.getOrDefault("encryption.key", "").contains("decodes to 16 bytes"), errors.toString());
            assertTrue(errors.getOrDefault("encryption.previous.keys", "").contains("not 'id:base64key'"),
                    errors.toString());
        }
        Map<String, String> noId = new HashMap<>(backupConfig(Map.of("encryption.key", KEY_A)));
        assertTrue(errors(connect.validateConnectorConfig(BackupSinkConnector.class.getName(), noId))
                .getOrDefault("encryption.key.id", "").contains("encryption.key.id is not"));
    }

    private Map<String, String> backupConfig(Map<String, String> encryption) {
        BackupConnectorConfig config = BackupConnectorConfig.of(BackupSinkConnector.class, BACKUP_ID, TOPIC)
                .name(BACKUP_ID)
                .minimumPartSize()
                .storage(fixture.s3().connectorConfig())
                .prefix(PREFIX)
                .codec("none") // so that a plain-text record would show in the stored bytes
                .blockBytes(16 * 1024)
                .segmentMaxIntervalMs(1000)
                .stateDir(stateDir)
                .cluster(bootstrap);
        encryption.forEach(config::set);
        return config.build();
    }

    private RestoreConnectorConfig restoreConfig(String name) {
        return RestoreConnectorConfig.of(RestoreSourceConnector.class, BACKUP_ID)
                .name(name)
                .createTopics()
                .storage(fixture.s3().connectorConfig())
                .prefix(PREFIX)
                .cluster(bootstrap);
    }

    private void awaitBackedUp(long records, EncryptionKeys keys) {
        BackupLayout layout = new BackupLayout(BACKUP_ID);
        Await.until(TIMEOUT, "the backup to hold " + records + " records",
                () -> BackupContents.read(store, layout, keys).recordCount() >= records);
    }

    private void produceMarked(int first, int count) {
        try (KafkaProducer<byte[], byte[]> producer = KafkaTestData.producer(bootstrap, Map.of())) {
            for (int i = first; i < first + count; i++) {
                byte[] key = ("card-" + i).getBytes(StandardCharsets.UTF_8);
                byte[] value = ("{\"note\":\"" + MARKER + " " + i + "\"}").getBytes(StandardCharsets.UTF_8);
                producer.send(new ProducerRecord<>(TOPIC, i % PARTITIONS, key, value));
            }
            producer.flush();
        }
    }

    private byte[] readObject(String key) {
        try (var in = store.read(key)) {
            return in.readAllBytes();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static Map<String, String> errors(ConfigInfos infos) {
        Map<String, String> errors = new HashMap<>();
        for (ConfigInfo info : infos.configs()) {
            if (info.configValue() != null && !info.configValue().errors().isEmpty()) {
                errors.put(info.configValue().name(), String.join("; ", info.configValue().errors()));
            }
        }
        return errors;
    }

    private static Map<Integer, List<ConsumerRecord<byte[], byte[]>>> byPartition(
            List<ConsumerRecord<byte[], byte[]>> records) {
        return records.stream().collect(Collectors.groupingBy(ConsumerRecord::partition));
    }

    private static String key(int seed) {
        byte[] key = new byte[EncryptionKeys.KEY_BYTES];
        new Random(seed).nextBytes(key);
        return Base64.getEncoder().encodeToString(key);
    }

    private static byte[] bytes(String base64) {
        return Base64.getDecoder().decode(base64);
    }
}
