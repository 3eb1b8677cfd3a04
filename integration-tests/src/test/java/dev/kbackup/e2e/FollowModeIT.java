package dev.kbackup.e2e;

import dev.kbackup.format.BackupRecord;
import dev.kbackup.layout.BackupLayout;
import dev.kbackup.restore.RestoreSourceConnector;
import dev.kbackup.sink.BackupSinkConnector;
import dev.kbackup.storage.ObjectStore;
import dev.kbackup.testing.Await;
import dev.kbackup.testing.BackupConnectorConfig;
import dev.kbackup.testing.BackupContents;
import dev.kbackup.testing.ConnectClusters;
import dev.kbackup.testing.ContinuousProducer;
import dev.kbackup.testing.KafkaTestData;
import dev.kbackup.testing.RestoreConnectorConfig;
import dev.kbackup.testing.S3ConnectFixture;
import dev.kbackup.testing.S3ProxyFixture;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.connect.util.clusters.EmbeddedConnectCluster;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A migration through object storage on real Kafka, Connect (exactly-once source support) and S3Proxy: a backup
 * runs continuously, a restore in follow mode writes into a renamed topic while records are produced, producing
 * stops, and the target catches up exactly (same records, same order per partition, each original offset once) with
 * the follow lag at zero.
 */
class FollowModeIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(120);
    private static final String TOPIC = "orders";
    private static final String TARGET = "orders-b";
    private static final String BACKUP = "live";
    private static final String RESTORE = "follow-live";

    private S3ConnectFixture cluster;
    private S3ProxyFixture s3;
    private EmbeddedConnectCluster connect;
    private ObjectStore store;
    private String bootstrap;

    @BeforeEach
    void start() throws Exception {
        cluster = S3ConnectFixture.start("follow-it", 1, Map.of("exactly.once.source.support", "enabled"));
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
    void theTargetCatchesUpExactlyWithTheBackupItFollowsAndTheLagReachesZero() throws Exception {
        BackupLayout layout = new BackupLayout(BACKUP);
        ContinuousProducer producer = ContinuousProducer.start(bootstrap, TOPIC, 2, 200);
        connect.configureConnector(BACKUP, BackupConnectorConfig.of(BackupSinkConnector.class, BACKUP, TOPIC)
                .name(BACKUP)
                .minimumPartSize()
                .storage(s3.connectorConfig())
                .tasks(1)
                .stateDir(Files.createTempDirectory("kbackup-follow-state"))
                .segmentMaxIntervalMs(1000)
                .checkpointIntervalMs(1000)
                .build());
        Await.until(TIMEOUT, "both partitions to have segments in the catalog", () -> {
            BackupContents backup = BackupContents.read(store, layout);
            return !backup.records(TOPIC, 0).isEmpty() && !backup.records(TOPIC, 1).isEmpty();
        });
        long backedUpAtStart = BackupContents.read(store, layout).recordCount();

        connect.configureConnector(RESTORE, RestoreConnectorConfig.of(RestoreSourceConnector.class, BACKUP)
                .name(RESTORE)
                .createTopics()
                .storage(s3.connectorConfig())
                .tasks(2)
                .cluster(bootstrap)
                .topicMapping(TOPIC + ":" + TARGET)
                .exactlyOnce()
                .set("restore.mode", "follow")
                .set("restore.follow.poll.interval.ms", "500")
                .build());
        Await.until(TIMEOUT, "the restore to write records backed up after it started",
                () -> committedCount(TARGET) > backedUpAtStart + 400);
        producer.close();

        List<ConsumerRecord<byte[], byte[]>> source = ConnectClusters.readAll(bootstrap, TOPIC, true, TIMEOUT);
        assertEquals(producer.sent(), source.size(), "every record produced is in the source topic");
        Await.until(TIMEOUT, "the backup to hold every record", () -> KafkaTestData.holdsAll(
                BackupContents.read(store, layout), bootstrap, TOPIC));
        Await.until(TIMEOUT, "the follow lag to reach zero with every record restored",
                () -> committedCount(TARGET) >= source.size()
                        && ConnectClusters.taskMetricSum(RESTORE, "follow-lag-records") == 0
                        && ConnectClusters.taskMetricSum(RESTORE, "follow-lag-ms") == 0,
                () -> "restored " + committedCount(TARGET) + " of " + source.size() + ", follow-lag-records "
                        + ConnectClusters.taskMetricSum(RESTORE, "follow-lag-records"));

        Map<Integer, List<ConsumerRecord<byte[], byte[]>>> restored = ConnectClusters.readAll(bootstrap, TARGET,
                true, TIMEOUT).stream().collect(Collectors.groupingBy(ConsumerRecord::partition));
        Map<Integer, List<ConsumerRecord<byte[], byte[]>>> original = source.stream()
                .collect(Collectors.groupingBy(ConsumerRecord::partition));
        for (int partition = 0; partition < 2; partition++) {
            List<BackupRecord> expected = original.get(partition).stream().map(KafkaTestData::fromConsumer).toList();
            List<ConsumerRecord<byte[], byte[]>> got = restored.getOrDefault(partition, List.of());
            assertEquals(expected.stream().map(BackupRecord::offset).toList(),
                    got.stream().map(KafkaTestData::originalOffset).toList(),
                    TARGET + "-" + partition + ": each original offset once, in order, no gap");
            KafkaTestData.assertRestored(expected, got, TOPIC, partition, true);
        }
    }

    /** Records a read_committed consumer sees in {@code topic}; 0 while it does not exist. */
    private long committedCount(String topic) {
        try {
            return ConnectClusters.readAll(bootstrap, topic, true, Duration.ofSeconds(10)).size();
        } catch (RuntimeException | AssertionError notYet) {
            return 0;
        }
    }
}
