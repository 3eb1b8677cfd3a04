package dev.kbackup.restore;

import dev.kbackup.groups.StoredTranslationLog;
import dev.kbackup.layout.BackupLayout;
import dev.kbackup.layout.Json;
import dev.kbackup.layout.RestoreKeys;
import dev.kbackup.storage.ObjectStore;
import dev.kbackup.storage.ObjectStores;
import dev.kbackup.testing.Await;
import dev.kbackup.testing.RestoreConnectorConfig;
import dev.kbackup.testing.S3ProxyFixture;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.connect.runtime.rest.entities.ConnectorStateInfo;
import org.apache.kafka.connect.util.clusters.EmbeddedConnectCluster;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javax.management.MBeanServer;
import javax.management.ObjectName;

import static org.junit.jupiter.api.Assertions.assertFalse;

/** What the restore integration tests share: connector configs, waiting for a restore, and content checks. */
final class RestoreHarness {

    static final String PREFIX = "backups";

    private final EmbeddedConnectCluster connect;
    private final S3ProxyFixture s3;
    private final ObjectStore store;

    RestoreHarness(EmbeddedConnectCluster connect, S3ProxyFixture s3) {
        this.connect = connect;
        this.s3 = s3;
        this.store = ObjectStores.open(s3.storageSettings(Map.of("storage.prefix", PREFIX)));
    }

    /** The store as the connector sees it: below storage.prefix. */
    ObjectStore store() {
        return store;
    }

    TestBackups backup(String backupId) {
        return TestBackups.in(store, backupId);
    }

    /** A complete, valid restore config for {@code backupId}. */
    Map<String, String> config(String backupId) {
        return configBuilder(backupId).build();
    }

    /** As {@link #config}, for a test that sets more keys before it builds the config. */
    RestoreConnectorConfig configBuilder(String backupId) {
        return RestoreConnectorConfig.of(RestoreSourceConnector.class, backupId)
                .storage(s3.connectorConfig())
                .prefix(PREFIX)
                .tasks(2)
                .cluster(connect.kafka().bootstrapServers());
    }

    /**
     * Waits until every task of the connector has written its summary and a new consumer sees in each target
     * partition as many records as the summaries count; returns the summaries.
     */
    List<RestoreSummary> awaitCompletion(String connector, String backupId, Duration timeout) {
        List<RestoreSummary> summaries = awaitSummaries(connector, backupId, timeout);
        // What the summaries count is acknowledged; wait until a new consumer is sure to see it too.
        for (RestoreSummary summary : summaries) {
            for (RestoreSummary.PartitionSummary partition : summary.partitions()) {
                TopicPartition target = new TopicPartition(partition.targetTopic(), partition.targetPartition());
                Await.until(timeout, target + " to show " + partition.records() + " records",
                        () -> endOffset(target) >= partition.records());
            }
        }
        return summaries;
    }

    /** Waits until every task of the connector has written its summary; returns them. */
    List<RestoreSummary> awaitSummaries(String connector, String backupId, Duration timeout) {
        RestoreKeys keys = new RestoreKeys(new BackupLayout(backupId), connector);
        List<RestoreSummary> summaries = new ArrayList<>();
        Await.until(timeout, "restore " + connector + " to complete", () -> {
            ConnectorStateInfo status = connect.connectorStatus(connector);
            if (status.tasks().isEmpty()) {
                return false;
            }
            for (ConnectorStateInfo.TaskState task : status.tasks()) {
                if ("FAILED".equals(task.state())) {
                    throw new AssertionError("Task " + task.id() + " failed: " + task.trace());
                }
            }
            summaries.clear();
            for (int task = 0; task < status.tasks().size(); task++) {
                Optional<byte[]> summary = store.readIfExists(keys.summaryKey(task));
                if (summary.isEmpty()) {
                    return false;
                }
                summaries.add(Json.read(summary.get(), RestoreSummary.class, keys.summaryKey(task)));
            }
            return true;
        }, () -> "status: " + connect.connectorStatus(connector));
        return summaries;
    }

    private long endOffset(TopicPartition partition) {
        try {
            return connect.kafka().endOffset(partition);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Waits until a task of the connector failed and returns its stack trace. */
    String awaitTaskFailure(String connector, Duration timeout) {
        String[] trace = new String[1];
        Await.until(timeout, "a task of " + connector + " to fail", () -> {
            for (ConnectorStateInfo.TaskState task : connect.connectorStatus(connector).tasks()) {
                if ("FAILED".equals(task.state())) {
                    trace[0] = task.trace();
                    return true;
                }
            }
            return false;
        }, () -> "status: " + connect.connectorStatus(connector));
        return trace[0];
    }

    /** End offset of a partition; 0 while the topic does not exist. */
    long endOffset(String topic, int partition) {
        try {
            return connect.kafka().endOffset(new TopicPartition(topic, partition));
        } catch (Exception e) {
            return 0;
        }
    }

    /**
     * Every record of {@code topic} up to the end offsets it has now, by partition then offset. The partitions come
     * from the admin client: a fresh consumer's metadata may not know a topic that another client just created.
     */
    List<ConsumerRecord<byte[], byte[]>> readAll(String topic, boolean readCommitted) {
        int partitions = connect.kafka().describeTopics(Set.of(topic)).get(topic).orElseThrow().partitions().size();
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, connect.kafka().bootstrapServers());
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, readCommitted ? "read_committed" : "read_uncommitted");
        props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 8 << 20);
        Duration timeout = Duration.ofSeconds(60);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
            List<TopicPartition> assigned = new ArrayList<>();
            for (int p = 0; p < partitions; p++) {
                assigned.add(new TopicPartition(topic, p));
            }
            consumer.assign(assigned);
            consumer.seekToBeginning(assigned);
            Map<TopicPartition, Long> end = consumer.endOffsets(assigned, timeout);
            List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
            long deadline = System.nanoTime() + timeout.toNanos();
            while (assigned.stream().anyMatch(tp -> consumer.position(tp, timeout) < end.get(tp))) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("Could not read " + topic + " to its end offsets " + end);
                }
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
            records.removeIf(r -> r.offset() >= end.get(new TopicPartition(r.topic(), r.partition())));
            records.sort(Comparator.<ConsumerRecord<byte[], byte[]>>comparingInt(ConsumerRecord::partition)
                    .thenComparingLong(ConsumerRecord::offset));
            return records;
        }
    }

    /** The offset map that restore {@code connector} of {@code backupId} stored for {@code source}. */
    StoredTranslationLog offsetMap(String backupId, String connector, TopicPartition source) {
        String key = new RestoreKeys(new BackupLayout(backupId), connector).offsetMapKey(source);
        return Json.read(store.readIfExists(key).orElseThrow(), StoredTranslationLog.class, key);
    }

    List<ConsumerRecord<byte[], byte[]>> partition(List<ConsumerRecord<byte[], byte[]>> records, int partition) {
        return records.stream().filter(r -> r.partition() == partition).toList();
    }

    /** Deletes the summaries of tasks {@code 0..tasks-1}, so that {@link #awaitCompletion} waits for new ones. */
    void forgetSummaries(String connector, String backupId, int tasks) {
        RestoreKeys keys = new RestoreKeys(new BackupLayout(backupId), connector);
        for (int task = 0; task < tasks; task++) {
            store.delete(keys.summaryKey(task));
        }
    }

    /** What a person does to restore again (KIP-875): stop the connector, delete its offsets, resume it. */
    void restartFromTheBeginning(String connector, Duration timeout) {
        connect.stopConnector(connector);
        Await.until(timeout, connector + " to stop", () -> {
            ConnectorStateInfo status = connect.connectorStatus(connector);
            return "STOPPED".equals(status.connector().state()) && status.tasks().isEmpty();
        }, () -> "status: " + connect.connectorStatus(connector));
        connect.resetConnectorOffsets(connector);
        connect.resumeConnector(connector);
    }

    /** Sum of a task metric over the connector's tasks, read from JMX. */
    static long metric(String connector, String name) {
        try {
            MBeanServer server = ManagementFactory.getPlatformMBeanServer();
            long sum = 0;
            Set<ObjectName> names = server.queryNames(
                    new ObjectName("kafka.connect:type=plugins,connector=" + connector + ",task=*"), null);
            assertFalse(names.isEmpty(), "no plugin metrics for " + connector);
            for (ObjectName objectName : names) {
                sum += ((Number) server.getAttribute(objectName, name)).longValue();
            }
            return sum;
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
