package dev.kbackup.testing;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.util.clusters.EmbeddedConnectCluster;
import org.apache.kafka.connect.util.clusters.EmbeddedKafkaCluster;

import javax.management.MBeanServer;
import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/** Real KRaft brokers and Connect workers in this JVM, set up the way our integration tests need them. */
public final class ConnectClusters {

    /** Key, value and header converters that pass bytes through untouched, as every connector of ours needs. */
    public static final Map<String, String> BYTE_ARRAY_CONVERTERS = Map.of(
            "key.converter", "org.apache.kafka.connect.converters.ByteArrayConverter",
            "value.converter", "org.apache.kafka.connect.converters.ByteArrayConverter",
            "header.converter", "org.apache.kafka.connect.converters.ByteArrayConverter");

    private ConnectClusters() {
    }

    /**
     * Starts one broker and {@code workers} distributed workers. Worker settings: service-loader plugin discovery
     * (fast start), offset flushes every second, client overrides allowed, and a short delay before the tasks of a
     * departed worker are reassigned.
     */
    public static EmbeddedConnectCluster start(String name, int workers, Map<String, String> extraWorkerProps) {
        return start(name, workers, extraWorkerProps, Map.of());
    }

    /** As {@link #start(String, int, Map)}, with {@code extraBrokerProps} added to the broker's (e.g. an authorizer). */
    public static EmbeddedConnectCluster start(String name, int workers, Map<String, String> extraWorkerProps,
                                               Map<String, String> extraBrokerProps) {
        Map<String, String> workerProps = new HashMap<>();
        workerProps.put("plugin.discovery", "service_load");
        workerProps.put("offset.flush.interval.ms", "1000");
        workerProps.put("connector.client.config.override.policy", "All");
        workerProps.put("scheduled.rebalance.max.delay.ms", "3000");
        workerProps.putAll(extraWorkerProps);
        EmbeddedConnectCluster cluster = new EmbeddedConnectCluster.Builder()
                .name(name)
                .numWorkers(workers)
                .numBrokers(1)
                .brokerProps(withExtra(brokerProps(), extraBrokerProps))
                .workerProps(workerProps)
                .build();
        cluster.start();
        return cluster;
    }

    /** A broker alone, for tests whose Connect workers run as separate processes. */
    public static EmbeddedKafkaCluster startKafka() {
        EmbeddedKafkaCluster kafka = new EmbeddedKafkaCluster(1, brokerProps());
        kafka.start();
        return kafka;
    }

    private static Properties withExtra(Properties props, Map<String, String> extra) {
        props.putAll(extra);
        return props;
    }

    private static Properties brokerProps() {
        Properties brokerProps = new Properties();
        brokerProps.put("offsets.topic.replication.factor", "1");
        brokerProps.put("transaction.state.log.replication.factor", "1");
        brokerProps.put("transaction.state.log.min.isr", "1");
        brokerProps.put("group.initial.rebalance.delay.ms", "0");
        brokerProps.put("log.cleaner.backoff.ms", "200");
        // Test data carries fixed timestamps that age; time-based retention would delete it mid-test.
        brokerProps.put("log.retention.ms", "-1");
        return brokerProps;
    }

    /** Creates a topic and waits until every partition has a leader, so producing right away cannot lose data. */
    public static void createTopic(EmbeddedConnectCluster cluster, String topic, int partitions,
                                   Map<String, String> topicConfigs) {
        createTopic(cluster.kafka(), topic, partitions, topicConfigs);
    }

    public static void createTopic(EmbeddedKafkaCluster kafka, String topic, int partitions,
                                   Map<String, String> topicConfigs) {
        kafka.createTopic(topic, partitions, 1, topicConfigs);
        for (int partition = 0; partition < partitions; partition++) {
            TopicPartition tp = new TopicPartition(topic, partition);
            // Metadata of a new topic reaches clients a moment after creation: ask until the leader answers.
            Await.until(Duration.ofSeconds(30), "partition " + tp + " to have a leader", () -> {
                try {
                    kafka.endOffset(tp);
                    return true;
                } catch (Exception notYet) {
                    return false;
                }
            });
        }
    }

    /**
     * Every record of {@code topic} from the beginning to the current end offsets, ordered by partition then
     * offset. {@code readCommitted} hides aborted transactions.
     */
    public static List<ConsumerRecord<byte[], byte[]>> readAll(String bootstrapServers, String topic,
                                                              boolean readCommitted, Duration timeout) {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
                "org.apache.kafka.common.serialization.ByteArrayDeserializer");
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
                "org.apache.kafka.common.serialization.ByteArrayDeserializer");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                (readCommitted ? IsolationLevel.READ_COMMITTED : IsolationLevel.READ_UNCOMMITTED).toString()
                        .toLowerCase(Locale.ROOT));
        props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 8 << 20);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (PartitionInfo info : consumer.partitionsFor(topic, timeout)) {
                partitions.add(new TopicPartition(topic, info.partition()));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
            List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
            long deadline = System.nanoTime() + timeout.toNanos();
            while (partitions.stream().anyMatch(tp -> consumer.position(tp, timeout) < end.get(tp))) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("Could not read " + topic + " to its end offsets " + end + " in "
                            + timeout);
                }
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
            records.removeIf(r -> r.offset() >= end.get(new TopicPartition(r.topic(), r.partition())));
            records.sort(Comparator.<ConsumerRecord<byte[], byte[]>>comparingInt(ConsumerRecord::partition)
                    .thenComparingLong(ConsumerRecord::offset));
            return records;
        }
    }

    /**
     * Sum of a plugin metric over the connector's tasks, read from this JVM's JMX (embedded workers), or -1 while no
     * task registered it.
     */
    public static long taskMetricSum(String connector, String metric) {
        try {
            MBeanServer server = ManagementFactory.getPlatformMBeanServer();
            long sum = -1;
            for (ObjectName name : server.queryNames(new ObjectName("kafka.connect:type=plugins,connector="
                    + connector + ",task=*"), null)) {
                Object value = server.getAttribute(name, metric);
                sum = Math.max(sum, 0) + ((Number) value).longValue();
            }
            return sum;
        } catch (javax.management.AttributeNotFoundException e) {
            return -1;
        } catch (Exception e) {
            throw new AssertionError("Could not read metric " + metric + " of " + connector, e);
        }
    }
}
