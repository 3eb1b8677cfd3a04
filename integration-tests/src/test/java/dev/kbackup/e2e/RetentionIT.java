package dev.kbackup.e2e;

import dev.kbackup.format.BackupRecord;
import dev.kbackup.layout.BackupCatalog;
import dev.kbackup.layout.BackupLayout;
import dev.kbackup.restore.RestoreSourceConnector;
import dev.kbackup.sink.BackupSinkConnector;
import dev.kbackup.storage.ObjectInfo;
import dev.kbackup.storage.ObjectStore;
import dev.kbackup.testing.Await;
import dev.kbackup.testing.BackupConnectorConfig;
import dev.kbackup.testing.BackupContents;
import dev.kbackup.testing.ConnectClusters;
import dev.kbackup.testing.KafkaTestData;
import dev.kbackup.testing.RestoreConnectorConfig;
import dev.kbackup.testing.S3ConnectFixture;
import dev.kbackup.testing.S3ProxyFixture;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.connect.util.clusters.EmbeddedConnectCluster;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Retention on real Kafka, Connect and S3Proxy: segments whose newest record is older than retention.ms leave the
 * catalog, and after cleanup.grace.ms storage; a restore of what remains is exact.
 */
class RetentionIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(120);
    private static final String TOPIC = "events";
    private static final String BACKUP = "retained";
    private static final int PER_PARTITION = 200;

    private S3ConnectFixture cluster;
    private S3ProxyFixture s3;
    private EmbeddedConnectCluster connect;
    private ObjectStore store;
    private String bootstrap;

    @BeforeEach
    void start() throws Exception {
        cluster = S3ConnectFixture.start("retention-it", 1, Map.of());
        s3 = cluster.s3();
        connect = cluster.connect();
        store = s3.store();
        bootstrap = connect.kafka().bootstrapServers();
        ConnectClusters.createTopic(connect, TOPIC, 2, Map.of());
    }

    @AfterEach
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void expiredSegmentsLeaveTheCatalogAndAfterTheGraceStorageAndWhatRemainsRestoresExactly() throws Exception {
        BackupLayout layout = new BackupLayout(BACKUP);
        long now = System.currentTimeMillis();
        produce(now - Duration.ofDays(3).toMillis(), "old");
        connect.configureConnector(BACKUP, BackupConnectorConfig.of(BackupSinkConnector.class, BACKUP, TOPIC)
                .name(BACKUP)
                .minimumPartSize()
                .storage(s3.connectorConfig())
                .tasks(1)
                .stateDir(Files.createTempDirectory("kbackup-retention-state"))
                .set("retention.ms", Long.toString(Duration.ofDays(1).toMillis()))
                .set("cleanup.grace.ms", "3000")
                .build());
        // every segment seen while the old records are stored (retention may delete the first ones meanwhile)
        Map<String, Long> oldSegments = new HashMap<>();
        Await.until(TIMEOUT, "the old records to be stored", () -> {
            for (ObjectInfo object : segments(layout)) {
                if (!oldSegments.containsKey(object.key())) {
                    try {
                        oldSegments.put(object.key(), new BackupCatalog(store, layout).describe(object)
                                .recordCount());
                    } catch (RuntimeException deletedMeanwhile) {
                        oldSegments.put(object.key(), 0L);
                    }
                }
            }
            return oldSegments.values().stream().mapToLong(Long::longValue).sum() >= 2L * PER_PARTITION;
        });

        produce(System.currentTimeMillis(), "new");
        List<ConsumerRecord<byte[], byte[]>> newRecords = ConnectClusters.readAll(bootstrap, TOPIC, true, TIMEOUT)
                .stream().filter(record -> new String(record.value(), StandardCharsets.UTF_8).startsWith("new"))
                .toList();
        Await.until(TIMEOUT, "the catalog to hold exactly the new records",
                () -> BackupContents.read(store, layout).recordCount() == newRecords.size());
        Await.until(TIMEOUT, "the old segments to leave storage after the grace",
                () -> oldSegments.keySet().stream().noneMatch(key -> store.stat(key).isPresent()));
        connect.deleteConnector(BACKUP);

        BackupContents backup = BackupContents.read(store, layout);
        backup.assertCatalogComplete();
        Map<Integer, List<ConsumerRecord<byte[], byte[]>>> expected = newRecords.stream()
                .collect(Collectors.groupingBy(ConsumerRecord::partition));
        for (int partition = 0; partition < 2; partition++) {
            KafkaTestData.assertSameRecords(TOPIC + "-" + partition, expected.get(partition),
                    backup.records(TOPIC, partition));
        }

        connect.configureConnector("restore-retained", RestoreConnectorConfig.of(RestoreSourceConnector.class, BACKUP)
                .name("restore-retained")
                .createTopics()
                .storage(s3.connectorConfig())
                .tasks(1)
                .cluster(bootstrap)
                .topicMapping(TOPIC + ":" + TOPIC + "-restored")
                .build());
        Await.until(TIMEOUT, "the restore of what remains", () -> ConnectClusters.readAll(bootstrap,
                TOPIC + "-restored", true, TIMEOUT).size() >= newRecords.size());
        Map<Integer, List<ConsumerRecord<byte[], byte[]>>> restored = ConnectClusters.readAll(bootstrap,
                TOPIC + "-restored", true, TIMEOUT).stream().collect(Collectors.groupingBy(ConsumerRecord::partition));
        for (int partition = 0; partition < 2; partition++) {
            List<BackupRecord> kept = backup.records(TOPIC, partition);
            assertTrue(kept.stream().allMatch(record -> new String(record.value(), StandardCharsets.UTF_8)
                    .startsWith("new")), "only new records are kept in " + partition);
            KafkaTestData.assertRestored(kept, restored.getOrDefault(partition, List.of()), TOPIC, partition, true);
        }
        assertEquals(newRecords.size(), restored.values().stream().mapToInt(List::size).sum());
    }

    private List<ObjectInfo> segments(BackupLayout layout) {
        List<ObjectInfo> found = new ArrayList<>();
        store.list(layout.topicsPrefix() + TOPIC + "/", null).forEachRemaining(object -> {
            if (BackupLayout.parseSegmentKey(object.key()).isPresent()) {
                found.add(object);
            }
        });
        return found;
    }

    /** {@value #PER_PARTITION} records per partition, stamped from {@code timestamp} on, values starting {@code tag}. */
    private void produce(long timestamp, String tag) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = KafkaTestData.producer(bootstrap, new HashMap<>())) {
            for (int i = 0; i < PER_PARTITION; i++) {
                for (int partition = 0; partition < 2; partition++) {
                    producer.send(new ProducerRecord<>(TOPIC, partition, timestamp + i,
                            ("k" + i).getBytes(StandardCharsets.UTF_8),
                            (tag + "-" + partition + "-" + i).getBytes(StandardCharsets.UTF_8))).get();
                }
            }
        }
    }
}
