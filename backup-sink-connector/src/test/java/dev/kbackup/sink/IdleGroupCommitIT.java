package dev.kbackup.sink;

import dev.kbackup.layout.BackupLayout;
import dev.kbackup.storage.ObjectStore;
import dev.kbackup.storage.ObjectStores;
import dev.kbackup.testing.Await;
import dev.kbackup.testing.BackupContents;
import dev.kbackup.testing.ConnectClusters;
import dev.kbackup.testing.KafkaTestData;
import dev.kbackup.testing.S3ConnectFixture;
import dev.kbackup.testing.S3ProxyFixture;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.util.clusters.EmbeddedConnectCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * Users read a backup's progress from its consumer group's lag. Two connectors of two tasks each start together on
 * a topic whose data has stopped, so partitions move between tasks while segments are open; afterwards each
 * group's committed offsets must reach the end offsets, and each backup hold every offset once.
 */
class IdleGroupCommitIT {

    private static final String TOPIC = "idle";
    private static final int PARTITIONS = 4;
    private static final int RECORDS = 40_000;
    private static final List<String> CONNECTORS = List.of("idle-a", "idle-b");
    private static final Duration TIMEOUT = Duration.ofSeconds(120);
    /** A few of the worker's commit intervals (offset.flush.interval.ms=1000) once storage holds everything. */
    private static final Duration COMMIT_DEADLINE = Duration.ofSeconds(20);

    private static S3ConnectFixture cluster;
    private static S3ProxyFixture s3;
    private static EmbeddedConnectCluster connect;
    private static ObjectStore store;

    @BeforeAll
    static void start() throws Exception {
        cluster = S3ConnectFixture.start("idle-commit-it", 1, Map.of());
        s3 = cluster.s3();
        connect = cluster.connect();
        store = ObjectStores.open(s3.storageSettings(Map.of("storage.prefix", "it")));
    }

    @AfterAll
    static void stop() throws Exception {
        if (store != null) {
            store.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void eachGroupCommitsTheEndOffsetsSoonAfterTheDataStopsThoughPartitionsMoved() throws Exception {
        String bootstrap = connect.kafka().bootstrapServers();
        ConnectClusters.createTopic(connect, TOPIC, PARTITIONS, Map.of());
        produceSmallRecords(bootstrap);
        Path state = Files.createTempDirectory("kbackup-idle-state");
        for (String name : CONNECTORS) {
            Map<String, String> config = BackupConfigs.backup(s3.connectorConfig(), name, TOPIC, bootstrap,
                    state.resolve(name));
            config.put("tasks.max", "2");
            // Segments stay open well past the tasks' joins, so partitions move while their segments are open.
            config.put("segment.max.interval.ms", "10000");
            connect.configureConnector(name, config);
        }

        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            Map<TopicPartition, Long> end = endOffsets(admin);
            for (String name : CONNECTORS) {
                BackupLayout layout = new BackupLayout(name);
                Await.until(TIMEOUT, name + " to hold every record",
                        () -> KafkaTestData.holdsAll(BackupContents.read(store, layout), bootstrap, TOPIC));
            }
            for (String name : CONNECTORS) {
                String group = "connect-" + name;
                Await.until(COMMIT_DEADLINE, group + " to commit the end offsets " + end,
                        () -> end.equals(committed(admin, group)), () -> "committed: " + committed(admin, group));
                KafkaTestData.assertExactlyOnce(BackupContents.read(store, new BackupLayout(name)), bootstrap,
                        TOPIC);
                Await.until(TIMEOUT, name + " to report no backup lag on any partition",
                        () -> backupLags(name).size() == PARTITIONS
                                && backupLags(name).values().stream().allMatch(lag -> lag == 0.0),
                        () -> "backup-lag: " + backupLags(name));
            }
        }
        CONNECTORS.forEach(connect::deleteConnector);
    }

    private static void produceSmallRecords(String bootstrap) {
        try (KafkaProducer<byte[], byte[]> producer = KafkaTestData.producer(bootstrap, Map.of())) {
            for (int i = 0; i < RECORDS; i++) {
                producer.send(new ProducerRecord<>(TOPIC, i % PARTITIONS, ("key-" + i).getBytes(),
                        ("small value " + i).getBytes()));
            }
            producer.flush();
        }
    }

    private static Map<TopicPartition, Long> endOffsets(Admin admin) throws Exception {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        for (int partition = 0; partition < PARTITIONS; partition++) {
            latest.put(new TopicPartition(TOPIC, partition), OffsetSpec.latest());
        }
        Map<TopicPartition, Long> end = new TreeMap<>(java.util.Comparator.comparingInt(TopicPartition::partition));
        admin.listOffsets(latest).all().get().forEach((tp, info) -> end.put(tp, info.offset()));
        return end;
    }

    /** The backup-lag gauge of each partition of the connector, from this JVM's MBeans. */
    private static Map<String, Double> backupLags(String connector) {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        Map<String, Double> lags = new TreeMap<>();
        try {
            for (ObjectName name : server.queryNames(new ObjectName("kafka.connect:type=plugins,connector="
                    + connector + ",*"), null)) {
                if (name.getKeyProperty("partition") != null) {
                    lags.put(name.getKeyProperty("topic") + "-" + name.getKeyProperty("partition"),
                            (Double) server.getAttribute(name, "backup-lag"));
                }
            }
        } catch (JMException e) {
            throw new IllegalStateException(e);
        }
        return lags;
    }

    private static Map<TopicPartition, Long> committed(Admin admin, String group) {
        try {
            Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata().get();
            Map<TopicPartition, Long> committed = new TreeMap<>(
                    java.util.Comparator.comparingInt(TopicPartition::partition));
            offsets.forEach((tp, offset) -> {
                if (offset != null) {
                    committed.put(tp, offset.offset());
                }
            });
            return committed;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("Could not read the offsets of " + group, e.getCause());
        }
    }
}
