package dev.kbackup.bench.cluster;

import dev.kbackup.testing.BrokerProcess;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** One combined KRaft broker and controller in its own JVM, on loopback ports. */
public final class KafkaBroker implements AutoCloseable {

    private BrokerProcess process;
    private Admin admin;

    public static KafkaBroker start(Path workDir, String classpath, String heap, Path log4jConfig) throws Exception {
        KafkaBroker broker = new KafkaBroker();
        broker.launch(workDir, classpath, heap, log4jConfig);
        return broker;
    }

    private void launch(Path workDir, String classpath, String heap, Path log4jConfig) throws Exception {
        List<String> jvm = List.of("-Xms" + heap, "-Xmx" + heap, "-XX:+UseG1GC",
                "-Dlog4j2.configurationFile=" + log4jConfig.toUri());
        process = BrokerProcess.start(workDir, "data", classpath, jvm, Duration.ofSeconds(120),
                // generated data carries timestamps from 2026-01-01: time retention must not delete it
                "log.retention.ms=-1");
        Map<String, Object> props = new HashMap<>();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        admin = Admin.create(props);
    }

    public String bootstrapServers() {
        return process.bootstrapServers();
    }

    /** The broker's pid, for its CPU time (ProcessCpu). */
    public long pid() {
        return process.process().pid();
    }

    public Admin admin() {
        return admin;
    }

    /** Creates a topic and waits until every partition has a leader, so that producing at once loses nothing. */
    public void createTopic(String topic, int partitions) throws Exception {
        admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get(60, TimeUnit.SECONDS);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            try {
                endOffsets(topic, partitions);
                return;
            } catch (Exception e) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("Topic " + topic + " has partitions without a leader", e);
                }
                Thread.sleep(100);
            }
        }
    }

    /** Sum of the end offsets of the topic's partitions. */
    public long endOffsets(String topic, int partitions) throws Exception {
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        for (int p = 0; p < partitions; p++) {
            request.put(new TopicPartition(topic, p), OffsetSpec.latest());
        }
        return admin.listOffsets(request).all().get(30, TimeUnit.SECONDS).values().stream()
                .mapToLong(info -> info.offset()).sum();
    }

    @Override
    public void close() {
        if (admin != null) {
            admin.close(Duration.ofSeconds(5));
        }
        if (process != null) {
            process.close();
        }
    }
}
