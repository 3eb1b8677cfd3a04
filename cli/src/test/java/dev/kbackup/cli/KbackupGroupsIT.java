package dev.kbackup.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kbackup.layout.BackupLayout;
import dev.kbackup.layout.ClusterSnapshot;
import dev.kbackup.layout.ClusterSnapshots;
import dev.kbackup.layout.RestoreKeys;
import dev.kbackup.restore.RestoreSourceConnector;
import dev.kbackup.sink.BackupSinkConnector;
import dev.kbackup.storage.FilesystemObjectStore;
import dev.kbackup.storage.ObjectStore;
import dev.kbackup.testing.Await;
import dev.kbackup.testing.BackupConnectorConfig;
import dev.kbackup.testing.BackupContents;
import dev.kbackup.testing.ConnectClusters;
import dev.kbackup.testing.KafkaTestData;
import dev.kbackup.testing.RestoreConnectorConfig;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.connect.util.clusters.EmbeddedConnectCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * offsets, acls and describe's snapshots against a backup the real sink wrote with cluster snapshots (groups and
 * ACLs, on a broker with an authorizer) and a restore the real restore connector ran in plan mode. One cluster is
 * both source and target: the restore writes to orders-restored, so the groups' translated offsets land on topics
 * of their own.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KbackupGroupsIT {

    private static final String TOPIC = "orders";
    private static final String RESTORED = "orders-restored";
    private static final String BACKUP = "orders-groups";
    private static final String RESTORE = "cli-groups-restore";
    private static final int PER_PARTITION = 100;
    private static final Map<String, Map<TopicPartition, Long>> POSITIONS = Map.of(
            "billing", Map.of(new TopicPartition(TOPIC, 0), 60L, new TopicPartition(TOPIC, 1), 30L),
            "busy", Map.of(new TopicPartition(TOPIC, 0), 10L));
    private static final List<AclBinding> ACLS = List.of(
            acl(ResourceType.TOPIC, TOPIC, PatternType.LITERAL, "User:billing", AclOperation.READ),
            acl(ResourceType.TOPIC, "ord", PatternType.PREFIXED, "User:audit", AclOperation.DESCRIBE),
            acl(ResourceType.GROUP, "billing", PatternType.LITERAL, "User:billing", AclOperation.READ));
    private static final Duration TIMEOUT = Duration.ofSeconds(120);
    private static final ObjectMapper JSON = new ObjectMapper();

    private static EmbeddedConnectCluster connect;
    private static String bootstrap;
    private static ObjectStore store;
    private static Path restoreConfig;
    private static JsonNode restoreReport;

    @BeforeAll
    static void backUpWithSnapshotsAndRestoreInPlanMode() throws Exception {
        // an authorizer, so that the snapshot has ACLs to record and acls --apply has somewhere to create them
        connect = ConnectClusters.start("kbackup-cli-groups-it", 1, Map.of(), Map.of(
                "authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer",
                "super.users", "User:ANONYMOUS"));
        bootstrap = connect.kafka().bootstrapServers();
        ConnectClusters.createTopic(connect, TOPIC, 2, Map.of());
        try (KafkaProducer<byte[], byte[]> producer = KafkaTestData.producer(bootstrap, Map.of())) {
            for (int partition = 0; partition < 2; partition++) {
                for (int i = 0; i < PER_PARTITION; i++) {
                    producer.send(new ProducerRecord<>(TOPIC, partition, null,
                            ("value-" + i).getBytes(StandardCharsets.UTF_8)));
                }
            }
            producer.flush();
        }
        try (Admin admin = admin()) {
            for (Map.Entry<String, Map<TopicPartition, Long>> group : POSITIONS.entrySet()) {
                Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
                group.getValue().forEach((partition, offset) -> offsets.put(partition,
                        new OffsetAndMetadata(offset, group.getKey() + "-was-here")));
                admin.alterConsumerGroupOffsets(group.getKey(), offsets).all().get();
            }
            admin.createAcls(ACLS).all().get();
        }

        Path work = Files.createTempDirectory("kbackup-cli-groups-it");
        Map<String, String> storage = Map.of("storage.type", "filesystem", "filesystem.path",
                work.resolve("store").toString());
        store = new FilesystemObjectStore(Files.createDirectories(work.resolve("store")));
        BackupLayout layout = new BackupLayout(BACKUP);
        connect.configureConnector("cli-groups-backup", BackupConnectorConfig.of(BackupSinkConnector.class, BACKUP,
                TOPIC).storage(storage).cluster(bootstrap).stateDir(work.resolve("state")).checkpointIntervalMs(500)
                .set("snapshot.interval.ms", "500").set("snapshot.acls", "true").build());
        Await.until(TIMEOUT, "the backup to hold every record",
                () -> BackupContents.read(store, layout).recordCount() == 2L * PER_PARTITION);
        ClusterSnapshots snapshots = new ClusterSnapshots(store, layout);
        Await.until(TIMEOUT, "a snapshot with the groups' positions", () -> snapshots.atOrBefore(Long.MAX_VALUE)
                .map(found -> positions(found.snapshot()).equals(POSITIONS)).orElse(false));
        connect.deleteConnector("cli-groups-backup");
        // the task takes snapshots until it has stopped: one taken after the ACLs are deleted below would be newest
        Await.until(TIMEOUT, "the backup task's snapshot thread to end", () -> Thread.getAllStackTraces().keySet()
                .stream().noneMatch(thread -> thread.getName().startsWith("kbackup-snapshots-cli-groups-backup-")));
        Await.until(TIMEOUT, "the manifest of " + BACKUP, () -> store.stat(layout.manifestKey()).isPresent());
        try (Admin admin = admin()) {
            // gone from the cluster, so that acls --apply has them to create again
            admin.deleteAcls(ACLS.stream().map(AclBinding::toFilter).toList()).all().get();
        }

        Map<String, String> restore = RestoreConnectorConfig.of(RestoreSourceConnector.class, BACKUP)
                .name(RESTORE).storage(storage).topicMapping(TOPIC + ":" + RESTORED).createTopics().cluster(bootstrap)
                .set("restore.consumer.groups", "billing|busy").set("restore.consumer.groups.mode", "plan").build();
        connect.configureConnector(RESTORE, restore);
        String reportKey = new RestoreKeys(layout, RESTORE).groupOffsetsKey(0);
        Await.until(TIMEOUT, "the restore to write its consumer-group plan " + reportKey,
                () -> store.stat(reportKey).isPresent());
        connect.deleteConnector(RESTORE);
        restoreReport = JSON.readTree(store.readIfExists(reportKey).orElseThrow());
        StringBuilder properties = new StringBuilder();
        restore.forEach((key, value) -> properties.append(key).append('=').append(value.replace("\\", "\\\\"))
                .append('\n'));
        restoreConfig = Files.writeString(work.resolve("restore.properties"), properties.toString());
    }

    @AfterAll
    static void stop() {
        if (store != null) {
            store.close();
        }
        if (connect != null) {
            connect.stop();
        }
    }

    @Test
    @Order(1) // before the --apply test commits
    void offsetsPrintsTheTranslationTheRestoresPlanModeMade() throws Exception {
        Result json = run("offsets", "--restore", RESTORE, "--config", restoreConfig.toString(), "-o", "json");
        assertEquals(0, json.code(), json.toString());
        JsonNode report = json(json);
        assertEquals(restoreReport.get("groups"), report.get("groups"), json.out());
        assertEquals(restoreReport.get("snapshotKey"), report.get("snapshotKey"));
        assertEquals("plan", report.get("mode").asText());
        assertEquals(Map.of(new TopicPartition(RESTORED, 0), 60L, new TopicPartition(RESTORED, 1), 30L),
                targets(report, "billing"));

        Result human = run("offsets", BACKUP, "--restore", RESTORE, "--config", restoreConfig.toString());
        assertEquals(0, human.code(), human.toString());
        assertTrue(human.out().lines().anyMatch(line -> line.matches(
                "billing\\s+PLANNED\\s+orders\\s+0\\s+60\\s+orders-restored-0\\s+60\\s+EXACT")), human.out());
        assertTrue(human.out().lines().anyMatch(line -> line.matches(
                "busy\\s+PLANNED\\s+orders\\s+0\\s+10\\s+orders-restored-0\\s+10\\s+EXACT")), human.out());
        assertEquals(Map.of(), committed("billing", RESTORED), "printing a plan commits nothing");

        Result unknown = run("offsets", "--restore", "no-such-restore", "--config", restoreConfig.toString());
        assertEquals(2, unknown.code(), unknown.toString());
        assertTrue(unknown.err().contains("[" + RESTORE + "]"), unknown.err());
    }

    @Test
    @Order(2)
    void applyCommitsGroupsWithoutMembersLeavesABusyOneAloneAndCanBeRunAgain() throws Exception {
        try (KafkaConsumer<byte[], byte[]> member = liveMember("busy", RESTORED)) {
            for (int attempt = 0; attempt < 2; attempt++) {
                Result applied = run("offsets", BACKUP, "--restore", RESTORE, "--config", restoreConfig.toString(),
                        "--apply", "--bootstrap-servers", bootstrap, "-o", "json");
                assertEquals(1, applied.code(), "a group was left out: " + applied);
                JsonNode report = json(applied);
                assertEquals("APPLIED", group(report, "billing").get("status").asText(), applied.out());
                assertEquals("SKIPPED_ACTIVE_MEMBERS", group(report, "busy").get("status").asText());
                assertTrue(group(report, "busy").get("members").get(0).asText().contains("busy-member"),
                        applied.out());
                assertEquals(targets(report, "billing"), committed("billing", RESTORED));
                assertEquals(Map.of(), committed("busy", RESTORED), "a group with a live member is left alone");
            }
        }
        Result human = run("offsets", BACKUP, "--restore", RESTORE, "--config", restoreConfig.toString(), "--apply");
        assertEquals(0, human.code(), human.toString());
        assertTrue(human.out().lines().anyMatch(line -> line.matches(
                "busy\\s+APPLIED\\s+orders\\s+0\\s+10\\s+orders-restored-0\\s+10\\s+EXACT")), human.out());
        assertEquals(Map.of(new TopicPartition(RESTORED, 0), 10L), committed("busy", RESTORED));
    }

    @Test
    void aclsPrintsTheSnapshot() throws Exception {
        Result json = run("acls", BACKUP, "--config", restoreConfig.toString(), "-o", "json");
        assertEquals(0, json.code(), json.toString());
        Set<List<String>> printed = new HashSet<>();
        json(json).get("acls").forEach(acl -> printed.add(List.of(acl.get("resourceType").asText(),
                acl.get("resourceName").asText(), acl.get("patternType").asText(), acl.get("principal").asText(),
                acl.get("operation").asText(), acl.get("permission").asText())));
        assertEquals(Set.of(List.of("TOPIC", TOPIC, "LITERAL", "User:billing", "READ", "ALLOW"),
                List.of("TOPIC", "ord", "PREFIXED", "User:audit", "DESCRIBE", "ALLOW"),
                List.of("GROUP", "billing", "LITERAL", "User:billing", "READ", "ALLOW")), printed);

        Result human = run("acls", BACKUP, "--config", restoreConfig.toString());
        assertEquals(0, human.code(), human.toString());
        assertTrue(human.out().lines().anyMatch(line -> line.matches(
                "TOPIC\\s+ord\\s+PREFIXED\\s+User:audit\\s+\\*\\s+DESCRIBE\\s+ALLOW")), human.out());
    }

    @Test
    void aclsDryRunCreatesNothingApplyCreatesThemAndARerunFindsThemPresent() throws Exception {
        Result dryRun = run("acls", BACKUP, "--config", restoreConfig.toString(), "--dry-run",
                "--bootstrap-servers", bootstrap, "-o", "json");
        assertEquals(0, dryRun.code(), dryRun.toString());
        assertEquals(List.of("WOULD_CREATE"), actions(dryRun), dryRun.out());
        assertEquals(Set.of(), aclsInCluster(), "a dry run creates nothing");

        Result apply = run("acls", BACKUP, "--config", restoreConfig.toString(), "--apply", "-o", "json");
        assertEquals(0, apply.code(), apply.toString());
        assertEquals(List.of("CREATED"), actions(apply), apply.out());
        assertEquals(Set.copyOf(ACLS), aclsInCluster());

        Result again = run("acls", BACKUP, "--config", restoreConfig.toString(), "--apply");
        assertEquals(0, again.code(), again.toString());
        assertTrue(again.out().lines().anyMatch(line -> line.matches(
                "GROUP\\s+billing\\s+LITERAL\\s+User:billing\\s+\\*\\s+READ\\s+ALLOW\\s+PRESENT")), again.out());
        assertEquals(Set.copyOf(ACLS), aclsInCluster());
    }

    @Test
    void describeListsTheSnapshotsAndWhatTheNewestHolds() throws Exception {
        Result json = run("describe", BACKUP, "--config", restoreConfig.toString(), "-o", "json");
        assertEquals(0, json.code(), json.toString());
        JsonNode snapshots = json(json).get("snapshots");
        int count = snapshots.get("count").asInt();
        assertTrue(count >= 1, json.out());
        assertEquals(count, snapshots.get("takenAt").size());
        int stored = 0;
        for (var objects = store.list(new BackupLayout(BACKUP).snapshotsPrefix(), null); objects.hasNext();
                objects.next()) {
            stored++;
        }
        assertEquals(stored, count);
        assertEquals(2, snapshots.get("newestGroups").asInt());
        assertEquals(1, snapshots.get("newestTopics").asInt());
        assertEquals(3, snapshots.get("newestAcls").asInt());

        Result human = run("describe", BACKUP, "--config", restoreConfig.toString());
        assertTrue(human.out().contains("Snapshots: " + count + ", taken "), human.out());
        assertTrue(human.out().contains("the newest holds 2 consumer groups, 1 topics, 3 ACLs"), human.out());
    }

    private static List<String> actions(Result result) {
        return json(result).get("acls").findValuesAsText("action").stream().distinct().toList();
    }

    private static Set<AclBinding> aclsInCluster() throws Exception {
        try (Admin admin = admin()) {
            return Set.copyOf(admin.describeAcls(AclBindingFilter.ANY).values().get());
        }
    }

    private static Map<TopicPartition, Long> targets(JsonNode report, String groupId) {
        Map<TopicPartition, Long> targets = new HashMap<>();
        group(report, groupId).get("partitions").forEach(partition -> targets.put(new TopicPartition(
                partition.get("targetTopic").asText(), partition.get("targetPartition").asInt()),
                partition.get("targetOffset").asLong()));
        return targets;
    }

    private static JsonNode group(JsonNode report, String groupId) {
        for (JsonNode group : report.get("groups")) {
            if (group.get("groupId").asText().equals(groupId)) {
                return group;
            }
        }
        throw new AssertionError("No group " + groupId + " in " + report.toPrettyString());
    }

    private static Map<TopicPartition, Long> committed(String group, String topic) throws Exception {
        try (Admin admin = admin()) {
            return admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get().entrySet().stream()
                    .filter(entry -> entry.getKey().topic().equals(topic) && entry.getValue() != null)
                    .collect(Collectors.toMap(Map.Entry::getKey, entry -> entry.getValue().offset()));
        }
    }

    /** A consumer in {@code group} that stays a member (subscribed, heartbeating) until closed; commits nothing. */
    private static KafkaConsumer<byte[], byte[]> liveMember(String group, String topic) throws Exception {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "busy-member");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        props.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "classic");
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props);
        consumer.subscribe(List.of(topic));
        try (Admin admin = admin()) {
            Await.until(TIMEOUT, group + " to have a member", () -> {
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

    private static Map<String, Map<TopicPartition, Long>> positions(ClusterSnapshot snapshot) {
        Map<String, Map<TopicPartition, Long>> positions = new HashMap<>();
        for (ClusterSnapshot.GroupOffsets group : snapshot.groups()) {
            positions.put(group.groupId(), group.offsets().stream().collect(Collectors.toMap(
                    offset -> new TopicPartition(offset.topic(), offset.partition()),
                    ClusterSnapshot.CommittedOffset::offset)));
        }
        return positions;
    }

    private static AclBinding acl(ResourceType type, String name, PatternType pattern, String principal,
                                  AclOperation operation) {
        return new AclBinding(new ResourcePattern(type, name, pattern),
                new AccessControlEntry(principal, "*", operation, AclPermissionType.ALLOW));
    }

    private static Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
    }

    private static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Kbackup.run(args, new PrintWriter(out), new PrintWriter(err));
        return new Result(code, out.toString(), err.toString());
    }

    private static JsonNode json(Result result) {
        try {
            return JSON.readTree(result.out());
        } catch (Exception e) {
            throw new AssertionError("Not JSON: " + result, e);
        }
    }

    private record Result(int code, String out, String err) {
    }
}
