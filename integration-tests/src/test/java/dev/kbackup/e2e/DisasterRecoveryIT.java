package dev.kbackup.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kbackup.layout.BackupLayout;
import dev.kbackup.layout.ClusterSnapshot;
import dev.kbackup.layout.ClusterSnapshots;
import dev.kbackup.layout.RestoreKeys;
import dev.kbackup.restore.RestoreSourceConnector;
import dev.kbackup.sink.BackupSinkConnector;
import dev.kbackup.storage.ObjectStore;
import dev.kbackup.storage.ObjectStores;
import dev.kbackup.testing.Await;
import dev.kbackup.testing.BackupConnectorConfig;
import dev.kbackup.testing.BackupContents;
import dev.kbackup.testing.ConnectClusters;
import dev.kbackup.testing.KafkaTestData;
import dev.kbackup.testing.RestoreConnectorConfig;
import dev.kbackup.testing.S3ProxyFixture;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.connect.util.clusters.EmbeddedConnectCluster;
import org.apache.kafka.connect.util.clusters.EmbeddedKafkaCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Disaster recovery into a second Kafka cluster: consumer groups read part of a compacted topic with custom configs
 * and of a {@code _schemas}-like topic on cluster A; the backup snapshots their offsets and the topics' configs; the
 * restore recreates the topics on cluster B from the snapshot and moves the groups, so that each group's consumer on
 * B resumes right after the last record it had consumed on A. A plan commits nothing, a window that ends before a
 * group's position puts the group at the end of what was restored (it may re-read, never skip), and a group with a
 * live member on B is reported and left alone.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DisasterRecoveryIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(120);
    private static final String BACKUP_ID = "dr";
    private static final String PREFIX = "dr-it";
    private static final String INVENTORY = "inventory";
    private static final String SCHEMAS = "_schemas";
    private static final int RECORDS_PER_PARTITION = 200;
    private static final int SCHEMA_RECORDS = 60;
    private static final Map<String, String> INVENTORY_CONFIGS = Map.of("cleanup.policy", "compact",
            "min.compaction.lag.ms", "86400000", "max.message.bytes", "2000000", "retention.ms", "604800000");
    /** The committed offset of each group and partition on cluster A: the next record each group would read. */
    private static final Map<String, Map<TopicPartition, Long>> POSITIONS = Map.of(
            "billing", Map.of(new TopicPartition(INVENTORY, 0), 150L, new TopicPartition(INVENTORY, 1), 120L,
                    new TopicPartition(SCHEMAS, 0), (long) SCHEMA_RECORDS),
            "shipping", Map.of(new TopicPartition(INVENTORY, 0), 40L, new TopicPartition(INVENTORY, 1), 199L),
            "busy", Map.of(new TopicPartition(INVENTORY, 0), 10L));

    private S3ProxyFixture s3;
    private EmbeddedConnectCluster connect;
    private EmbeddedKafkaCluster clusterB;
    private ObjectStore store;
    private String bootstrapA;
    private String bootstrapB;
    /** Record timestamps: from ten minutes ahead, 100 ms apart in offset order, so a window can end at any offset. */
    private long baseTimestamp;
    private final Map<TopicPartition, List<ConsumerRecord<byte[], byte[]>>> sourceRecords = new HashMap<>();

    @BeforeAll
    void start() throws Exception {
        s3 = S3ProxyFixture.start();
        store = ObjectStores.open(s3.storageSettings(Map.of("storage.prefix", PREFIX)));
        // an authorizer on cluster A, so that the snapshot has ACLs to record; everyone here is a super user
        connect = ConnectClusters.start("dr-it", 1, Map.of(), Map.of(
                "authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer",
                "super.users", "User:ANONYMOUS"));
        clusterB = ConnectClusters.startKafka();
        bootstrapA = connect.kafka().bootstrapServers();
        bootstrapB = clusterB.bootstrapServers();

        ConnectClusters.createTopic(connect, INVENTORY, 2, INVENTORY_CONFIGS);
        ConnectClusters.createTopic(connect, SCHEMAS, 1, Map.of("cleanup.policy", "compact",
                "min.compaction.lag.ms", "86400000"));
        baseTimestamp = System.currentTimeMillis() + TimeUnit.MINUTES.toMillis(10);
        produce(INVENTORY, 2, RECORDS_PER_PARTITION);
        produce(SCHEMAS, 1, SCHEMA_RECORDS);
        for (String topic : List.of(INVENTORY, SCHEMAS)) {
            for (ConsumerRecord<byte[], byte[]> record : ConnectClusters.readAll(bootstrapA, topic, true, TIMEOUT)) {
                sourceRecords.computeIfAbsent(new TopicPartition(topic, record.partition()), p -> new ArrayList<>())
                        .add(record);
            }
        }
        POSITIONS.forEach(this::consumeAndCommit);
        createAcls();

        backUp();
    }

    @AfterAll
    void stop() {
        if (connect != null) {
            connect.stop();
        }
        if (clusterB != null) {
            clusterB.stop();
        }
        if (store != null) {
            store.close();
        }
        if (s3 != null) {
            s3.close();
        }
    }

    @Test
    void groupsResumeOnTheSecondClusterRightAfterTheirLastConsumedRecordAndTopicsKeepTheirConfigs()
            throws Exception {
        try (KafkaConsumer<byte[], byte[]> busyMember = liveMember("busy", INVENTORY)) {
            connect.configureConnector("dr-restore", restoreConfig("dr-restore")
                    .createTopics()
                    .set("restore.consumer.groups", "billing|shipping|busy")
                    .build());
            JsonNode report = awaitGroupReports("dr-restore");

            assertTopic(INVENTORY, 2, Map.of("cleanup.policy", "compact", "min.compaction.lag.ms", "86400000",
                    "max.message.bytes", "2000000", "retention.ms", "-1"));
            assertTopic(SCHEMAS, 1, Map.of("cleanup.policy", "compact", "retention.ms", "-1"));
            for (String group : List.of("billing", "shipping")) {
                assertEquals("APPLIED", status(report, group), group);
                for (Map.Entry<TopicPartition, Long> position : POSITIONS.get(group).entrySet()) {
                    assertResumesAfterLastConsumed(group, position.getKey(), position.getValue());
                }
            }
            assertEquals("SKIPPED_ACTIVE_MEMBERS", status(report, "busy"));
            assertTrue(group(report, "busy").get("members").get(0).asText().contains("busy-member"),
                    report.toPrettyString());
            assertEquals(Map.of(), committedOnB("busy"), "a group with a live member is left alone");
        }
        connect.deleteConnector("dr-restore");
    }

    @Test
    void aPlanForAWindowEndingBeforeAGroupsPositionPutsItAtTheEndOfWhatWasRestoredAndCommitsNothing()
            throws Exception {
        long windowEnd = baseTimestamp + 100 * 100; // inventory offsets 0..99 are inside, 100.. are not
        connect.configureConnector("dr-plan", restoreConfig("dr-plan")
                .createTopics()
                .topicMapping(INVENTORY + ":inventory-plan," + SCHEMAS + ":schemas-plan")
                .set("restore.time.end", Long.toString(windowEnd))
                .set("restore.consumer.groups", "billing|shipping")
                .set("restore.consumer.groups.mode", "plan")
                .build());
        JsonNode report = awaitGroupReports("dr-plan");

        // billing had read inventory-0 up to 149: past the window, it resumes after the last restored record
        assertEquals(List.of(150L, 100L, "END_OF_RESTORED"), partitionPlan(report, "billing", INVENTORY, 0));
        assertEquals(List.of(120L, 100L, "END_OF_RESTORED"), partitionPlan(report, "billing", INVENTORY, 1));
        // shipping's position is inside the window: exact
        assertEquals(List.of(40L, 40L, "EXACT"), partitionPlan(report, "shipping", INVENTORY, 0));
        assertEquals(100L, clusterB.endOffset(new TopicPartition("inventory-plan", 0)),
                "the target ends where the plan puts billing: nothing restored is skipped");
        assertEquals("PLANNED", status(report, "billing"));
        assertEquals(Map.of(), committedOnB("billing").entrySet().stream()
                .filter(e -> e.getKey().topic().equals("inventory-plan")).collect(java.util.stream.Collectors
                        .toMap(Map.Entry::getKey, Map.Entry::getValue)), "a plan commits nothing");
        assertEquals(Map.of(), committedOnB("shipping").entrySet().stream()
                .filter(e -> e.getKey().topic().equals("inventory-plan")).collect(java.util.stream.Collectors
                        .toMap(Map.Entry::getKey, Map.Entry::getValue)), "a plan commits nothing");
        connect.deleteConnector("dr-plan");
    }

    @Test
    void anExistingTargetThatDeletesWhereTheBackupCompactedStopsTheRestoreBeforeAnythingIsWritten() throws Exception {
        clusterB.createTopic("inventory-delete", 2, 1, Map.of("cleanup.policy", "delete"));
        connect.configureConnector("dr-conflict", restoreConfig("dr-conflict")
                .createTopics()
                .topics(INVENTORY)
                .topicMapping(INVENTORY + ":inventory-delete")
                .build());

        Await.until(TIMEOUT, "the restore's tasks to fail", () -> {
            var tasks = connect.connectorStatus("dr-conflict").tasks();
            return !tasks.isEmpty() && tasks.stream().allMatch(task -> "FAILED".equals(task.state()));
        }, () -> connectorState("dr-conflict"));
        String trace = connect.connectorStatus("dr-conflict").tasks().get(0).trace();
        assertTrue(trace.contains("target topic 'inventory-delete' has cleanup.policy=delete where the backed-up "
                + "topic 'inventory' had compact"), trace);
        assertEquals(0, clusterB.endOffset(new TopicPartition("inventory-delete", 0))
                + clusterB.endOffset(new TopicPartition("inventory-delete", 1)), "nothing was written");
        connect.deleteConnector("dr-conflict");
    }

    @Test
    void validationNamesTheSnapshotSettingsToFix() {
        Map<String, String> noSnapshotThen = restoreConfig("dr-validate")
                .set("restore.consumer.groups", "billing")
                .set("restore.time.end", "2020-01-01T00:00:00Z")
                .build();
        assertEquals(List.of("restore.consumer.groups"), errorKeys(RestoreSourceConnector.class, noSnapshotThen));
        assertTrue(errors(RestoreSourceConnector.class, noSnapshotThen).get(0).contains("has no cluster snapshot at "
                + "or before 2020-01-01T00:00:00Z"), errors(RestoreSourceConnector.class, noSnapshotThen).toString());

        Map<String, String> badRegex = restoreConfig("dr-validate").set("restore.consumer.groups", "billing(").build();
        assertEquals(List.of("restore.consumer.groups"), errorKeys(RestoreSourceConnector.class, badRegex));

        Map<String, String> twoFactors = restoreConfig("dr-validate").set("restore.replication.factor", "3")
                .set("restore.create.topics.replication.factor", "2").build();
        assertEquals(List.of("restore.create.topics.replication.factor"),
                errorKeys(RestoreSourceConnector.class, twoFactors));

        Map<String, String> aclsWithoutCluster = BackupConnectorConfig.of(BackupSinkConnector.class, "dr-v", INVENTORY)
                .storage(s3.connectorConfig()).prefix(PREFIX).set("snapshot.acls", "true")
                .set("snapshot.groups.include", "[").build();
        assertEquals(List.of("snapshot.acls", "snapshot.groups.include"),
                errorKeys(BackupSinkConnector.class, aclsWithoutCluster));
    }

    private List<String> errorKeys(Class<?> connector, Map<String, String> config) {
        return errorsByKey(connector, config).keySet().stream().sorted().toList();
    }

    private List<String> errors(Class<?> connector, Map<String, String> config) {
        return errorsByKey(connector, config).values().stream().flatMap(List::stream).toList();
    }

    private Map<String, List<String>> errorsByKey(Class<?> connector, Map<String, String> config) {
        Map<String, String> named = new HashMap<>(config);
        named.put("name", "dr-validation");
        Map<String, List<String>> errors = new TreeMap<>();
        for (var info : connect.validateConnectorConfig(connector.getSimpleName(), named).configs()) {
            if (info.configValue() != null && !info.configValue().errors().isEmpty()) {
                errors.put(info.configValue().name(), info.configValue().errors());
            }
        }
        return errors;
    }

    private void backUp() {
        BackupLayout layout = new BackupLayout(BACKUP_ID);
        Map<String, String> config;
        try {
            config = BackupConnectorConfig.of(BackupSinkConnector.class, BACKUP_ID, INVENTORY + "," + SCHEMAS)
                    .name("dr-backup")
                    .minimumPartSize()
                    .storage(s3.connectorConfig())
                    .prefix(PREFIX)
                    .tasks(2)
                    .stateDir(Files.createTempDirectory("kbackup-dr-state"))
                    .cluster(bootstrapA)
                    .set("snapshot.interval.ms", "500")
                    .set("snapshot.acls", "true")
                    .build();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
        connect.configureConnector("dr-backup", config);
        long expected = 2L * RECORDS_PER_PARTITION + SCHEMA_RECORDS;
        Await.until(TIMEOUT, "the backup to hold " + expected + " records",
                () -> BackupContents.read(store, layout).recordCount() >= expected,
                () -> connectorState("dr-backup"));
        ClusterSnapshots snapshots = new ClusterSnapshots(store, layout);
        Await.until(TIMEOUT, "a snapshot with the groups' positions", () -> snapshots.atOrBefore(Long.MAX_VALUE)
                .map(found -> snapshotPositions(found.snapshot()).equals(POSITIONS)).orElse(false));
        connect.deleteConnector("dr-backup");
        Await.until(TIMEOUT, "the manifest of " + BACKUP_ID, () -> store.stat(layout.manifestKey()).isPresent());

        ClusterSnapshot snapshot = snapshots.atOrBefore(Long.MAX_VALUE).orElseThrow().snapshot();
        ClusterSnapshot.TopicSnapshot inventory = snapshot.topic(INVENTORY).orElseThrow();
        assertEquals(2, inventory.partitions());
        assertEquals(1, inventory.replicationFactor());
        assertEquals(INVENTORY_CONFIGS, inventory.configs(), "exactly the configs set on the topic");
        assertTrue(snapshot.groups().stream().noneMatch(g -> g.groupId().startsWith("connect-")),
                "Connect's own groups are not snapshotted");
        assertEquals(Set.of(
                new ClusterSnapshot.AclEntry("TOPIC", INVENTORY, "LITERAL", "User:billing", "*", "READ", "ALLOW"),
                new ClusterSnapshot.AclEntry("TOPIC", "inv", "PREFIXED", "User:audit", "*", "DESCRIBE", "ALLOW"),
                new ClusterSnapshot.AclEntry("GROUP", "billing", "LITERAL", "User:billing", "*", "READ", "ALLOW")),
                Set.copyOf(snapshot.acls()), "the ACLs on the backed-up topics and snapshotted groups, no others");
    }

    private String connectorState(String name) {
        var status = connect.connectorStatus(name);
        StringBuilder out = new StringBuilder(name + ": " + status.connector().state());
        status.tasks().forEach(task -> out.append("; task ").append(task.id()).append(' ').append(task.state())
                .append(task.trace() == null ? "" : " " + task.trace()));
        return out.toString();
    }

    private RestoreConnectorConfig restoreConfig(String name) {
        return RestoreConnectorConfig.of(RestoreSourceConnector.class, BACKUP_ID)
                .name(name)
                .storage(s3.connectorConfig())
                .prefix(PREFIX)
                .tasks(2)
                .cluster(bootstrapB)
                .set("producer.override.bootstrap.servers", bootstrapB);
    }

    /** Every task's group-offsets report, merged: {"groups": [...]} */
    private JsonNode awaitGroupReports(String connector) throws Exception {
        RestoreKeys keys = new RestoreKeys(new BackupLayout(BACKUP_ID), connector);
        Await.until(TIMEOUT, "both tasks of " + connector + " to report their consumer groups", () ->
                store.readIfExists(keys.groupOffsetsKey(0)).isPresent()
                        && store.readIfExists(keys.groupOffsetsKey(1)).isPresent());
        ObjectMapper mapper = new ObjectMapper();
        var merged = mapper.createObjectNode();
        var groups = merged.putArray("groups");
        for (int task = 0; task < 2; task++) {
            JsonNode report = mapper.readTree(store.readIfExists(keys.groupOffsetsKey(task)).orElseThrow());
            report.get("groups").forEach(groups::add);
        }
        return merged;
    }

    /** A group's status; every task that has partitions of the group reports the same. */
    private static String status(JsonNode report, String groupId) {
        return group(report, groupId).get("status").asText();
    }

    private static JsonNode group(JsonNode report, String groupId) {
        for (JsonNode group : report.get("groups")) {
            if (group.get("groupId").asText().equals(groupId)) {
                return group;
            }
        }
        throw new AssertionError("No group " + groupId + " in " + report.toPrettyString());
    }

    /** [original offset, target offset, derivation] of one partition of a group. */
    private static List<Object> partitionPlan(JsonNode report, String groupId, String topic, int partition) {
        for (JsonNode group : report.get("groups")) {
            if (!group.get("groupId").asText().equals(groupId)) {
                continue;
            }
            for (JsonNode p : group.get("partitions")) {
                if (p.get("topic").asText().equals(topic) && p.get("partition").asInt() == partition) {
                    return List.of(p.get("originalOffset").asLong(), p.get("targetOffset").asLong(),
                            p.get("derivation").asText());
                }
            }
        }
        throw new AssertionError("No " + topic + "/" + partition + " of " + groupId + " in " + report);
    }

    /**
     * The group's consumer on B starts with the record right after the last one it had consumed on A: same key,
     * same original offset, and the record before it on B is the last one it had consumed.
     */
    private void assertResumesAfterLastConsumed(String group, TopicPartition partition, long position)
            throws Exception {
        long committed = committedOnB(group).get(partition).offset();
        List<ConsumerRecord<byte[], byte[]>> source = sourceRecords.get(partition);
        long end = clusterB.endOffset(partition);
        if (position >= source.size()) {
            assertEquals(end, committed, group + " had read all of " + partition + ": it resumes at the end");
            return;
        }
        try (KafkaConsumer<byte[], byte[]> consumer = consumer(bootstrapB, group)) {
            consumer.assign(List.of(partition));
            ConsumerRecord<byte[], byte[]> first = pollOne(consumer);
            assertEquals(committed, first.offset());
            assertEquals(key(source.get((int) position)), key(first), group + " resumes on " + partition);
            assertEquals(Long.toString(position), header(first, "x-original-offset"));
            if (position > 0) {
                consumer.seek(partition, committed - 1);
                ConsumerRecord<byte[], byte[]> last = pollOne(consumer);
                assertEquals(key(source.get((int) position - 1)), key(last),
                        group + "'s last consumed record on " + partition + " comes just before");
            }
        }
    }

    private void assertTopic(String topic, int partitions, Map<String, String> configs) throws Exception {
        try (Admin admin = admin(bootstrapB)) {
            assertEquals(partitions, admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic)
                    .partitions().size(), topic);
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
            Config config = admin.describeConfigs(List.of(resource)).all().get().get(resource);
            Map<String, String> actual = new TreeMap<>();
            configs.keySet().forEach(name -> actual.put(name, config.get(name).value()));
            assertEquals(new TreeMap<>(configs), actual, topic);
        }
    }

    private Map<TopicPartition, OffsetAndMetadata> committedOnB(String group) {
        try (Admin admin = admin(bootstrapB)) {
            Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>(
                    admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get());
            offsets.values().removeIf(java.util.Objects::isNull);
            return offsets;
        } catch (Exception e) {
            throw new AssertionError("Could not read the offsets of " + group + " on cluster B", e);
        }
    }

    /** A consumer in {@code group} on B that stays a member (subscribed, heartbeating) until closed. */
    private KafkaConsumer<byte[], byte[]> liveMember(String group, String topic) throws Exception {
        Map<String, Object> props = consumerProps(bootstrapB, group);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "busy-member");
        props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        props.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "classic");
        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props);
        consumer.subscribe(List.of(topic));
        try (Admin admin = admin(bootstrapB)) {
            Await.until(TIMEOUT, group + " to have a member on cluster B", () -> {
                consumer.poll(Duration.ofMillis(100));
                try {
                    return !admin.describeConsumerGroups(List.of(group)).describedGroups().get(group).get()
                            .members().isEmpty();
                } catch (Exception notYet) {
                    return false;
                }
            });
        }
        return consumer;
    }

    /** A group reads {@code position} records of each partition on A and commits, as an application would. */
    private void consumeAndCommit(String group, Map<TopicPartition, Long> positions) {
        try (KafkaConsumer<byte[], byte[]> consumer = consumer(bootstrapA, group)) {
            Map<TopicPartition, OffsetAndMetadata> commit = new HashMap<>();
            positions.forEach((partition, position) -> {
                consumer.assign(List.of(partition));
                consumer.seekToBeginning(List.of(partition));
                long consumed = 0;
                long deadline = System.nanoTime() + TIMEOUT.toNanos();
                while (consumed < position && System.nanoTime() < deadline) {
                    for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                        if (record.offset() < position) {
                            consumed++;
                        }
                    }
                }
                assertEquals((long) position, consumed, group + " reads " + partition);
                commit.put(partition, new OffsetAndMetadata(position, group + "-was-here"));
            });
            consumer.commitSync(commit);
        }
    }

    /** ACLs on cluster A: three concern the backup, two do not. */
    private void createAcls() throws Exception {
        try (Admin admin = admin(bootstrapA)) {
            admin.createAcls(List.of(
                    acl(ResourceType.TOPIC, INVENTORY, PatternType.LITERAL, "User:billing", AclOperation.READ),
                    acl(ResourceType.TOPIC, "inv", PatternType.PREFIXED, "User:audit", AclOperation.DESCRIBE),
                    acl(ResourceType.GROUP, "billing", PatternType.LITERAL, "User:billing", AclOperation.READ),
                    acl(ResourceType.TOPIC, "payroll", PatternType.LITERAL, "User:hr", AclOperation.READ),
                    acl(ResourceType.GROUP, "payroll-app", PatternType.LITERAL, "User:hr", AclOperation.READ)))
                    .all().get();
        }
    }

    private static AclBinding acl(ResourceType type, String name, PatternType pattern, String principal,
                                  AclOperation operation) {
        return new AclBinding(new ResourcePattern(type, name, pattern),
                new AccessControlEntry(principal, "*", operation, AclPermissionType.ALLOW));
    }

    private void produce(String topic, int partitions, int perPartition) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = KafkaTestData.producer(bootstrapA, Map.of())) {
            for (int partition = 0; partition < partitions; partition++) {
                for (int i = 0; i < perPartition; i++) {
                    byte[] key = (topic + "-" + partition + "-key-" + i).getBytes(StandardCharsets.UTF_8);
                    producer.send(new ProducerRecord<>(topic, partition, baseTimestamp + i * 100L, key,
                            ("value-" + i).getBytes(StandardCharsets.UTF_8)));
                }
            }
            producer.flush();
        }
    }

    private static Map<String, Map<TopicPartition, Long>> snapshotPositions(ClusterSnapshot snapshot) {
        Map<String, Map<TopicPartition, Long>> positions = new HashMap<>();
        for (ClusterSnapshot.GroupOffsets group : snapshot.groups()) {
            Map<TopicPartition, Long> offsets = new HashMap<>();
            group.offsets().forEach(o -> offsets.put(new TopicPartition(o.topic(), o.partition()), o.offset()));
            positions.put(group.groupId(), offsets);
        }
        return positions;
    }

    private static ConsumerRecord<byte[], byte[]> pollOne(KafkaConsumer<byte[], byte[]> consumer) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            var records = consumer.poll(Duration.ofMillis(200));
            if (!records.isEmpty()) {
                return records.iterator().next();
            }
        }
        throw new AssertionError("No record within " + TIMEOUT);
    }

    private static String key(ConsumerRecord<byte[], byte[]> record) {
        return new String(record.key(), StandardCharsets.UTF_8);
    }

    private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    private static KafkaConsumer<byte[], byte[]> consumer(String bootstrap, String group) {
        return new KafkaConsumer<>(consumerProps(bootstrap, group));
    }

    private static Map<String, Object> consumerProps(String bootstrap, String group) {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1);
        return props;
    }

    private static Admin admin(String bootstrap) {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
    }
}
