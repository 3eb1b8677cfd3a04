package dev.kbackup.restore;

import dev.kbackup.format.BackupRecord;
import dev.kbackup.format.Codec;
import dev.kbackup.groups.StoredTranslationLog;
import dev.kbackup.testing.Await;
import dev.kbackup.testing.KafkaTestData;
import dev.kbackup.testing.RandomRecords;
import dev.kbackup.testing.S3ConnectFixture;
import dev.kbackup.testing.S3ProxyFixture;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.runtime.rest.entities.ConnectorStateInfo;
import org.apache.kafka.connect.util.clusters.EmbeddedConnectCluster;
import org.apache.kafka.connect.util.clusters.WorkerHandle;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Exactly-once restore (KIP-618) on two workers with exactly-once source support: a worker leaves in the middle of
 * the restore, its task moves to the other worker, and a read_committed consumer still sees every original offset
 * exactly once, in order.
 */
class RestoreExactlyOnceIT {

    private static S3ConnectFixture cluster;
    private static S3ProxyFixture s3;
    private static EmbeddedConnectCluster connect;
    private static RestoreHarness harness;

    @BeforeAll
    static void start() throws Exception {
        cluster = S3ConnectFixture.start("restore-eos-it", 2, Map.of("exactly.once.source.support", "enabled"));
        s3 = cluster.s3();
        connect = cluster.connect();
        harness = new RestoreHarness(connect, s3);
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void aReadCommittedConsumerSeesEveryOriginalOffsetExactlyOnceAfterAWorkerLeavesMidRestore() throws Exception {
        TestBackups backup = harness.backup("eos");
        List<List<BackupRecord>> partitions = new ArrayList<>();
        for (int p = 0; p < 2; p++) {
            List<BackupRecord> records = new RandomRecords(900 + p, 1024, 0).records(0, 5000);
            backup.partition("payments", p, records, Codec.ZSTD, 800, 16 * 1024);
            partitions.add(records);
        }
        backup.publish();
        Map<String, String> config = harness.configBuilder("eos")
                .topicMapping("payments:payments-eos")
                .createTopics()
                .maxBytesPerSecond(300000)
                .exactlyOnce()
                .build();
        connect.configureConnector("restore-eos", config);
        Await.until(Duration.ofSeconds(90), "part of the restore to be done", () ->
                harness.endOffset("payments-eos", 0) > 1000 && harness.endOffset("payments-eos", 1) > 1000);

        WorkerHandle running = workerRunningTask("restore-eos", 0);
        connect.removeWorker(running);
        harness.awaitCompletion("restore-eos", "eos", Duration.ofSeconds(120));

        List<ConsumerRecord<byte[], byte[]>> committed = harness.readAll("payments-eos", true);
        for (int p = 0; p < 2; p++) {
            List<ConsumerRecord<byte[], byte[]>> restored = harness.partition(committed, p);
            List<Long> originals = restored.stream().map(KafkaTestData::originalOffset).toList();
            assertEquals(partitions.get(p).stream().map(BackupRecord::offset).toList(), originals,
                    "partition " + p + ": each original offset exactly once, in order");
            KafkaTestData.assertRestored(partitions.get(p), restored, "payments", p, true);
            assertTranslationsExact(p, restored);
        }
    }

    /** Outside ranges the map admits it could not record, it translates every original offset exactly. */
    private static void assertTranslationsExact(int partition, List<ConsumerRecord<byte[], byte[]>> restored) {
        TopicPartition source = new TopicPartition("payments", partition);
        StoredTranslationLog map = harness.offsetMap("eos", "restore-eos", source);
        OffsetTranslationLog translation = OffsetTranslationLog.resume("eos", source,
                new TopicPartition("payments-eos", partition), map, -1);
        int checked = 0;
        for (ConsumerRecord<byte[], byte[]> record : restored) {
            long original = KafkaTestData.originalOffset(record);
            boolean unsynced = map.unsyncedRanges().stream().anyMatch(r -> original >= r.from() && original <= r.to());
            if (!unsynced) {
                assertEquals(record.offset(), translation.translate(original), "translation of " + original);
                checked++;
            }
        }
        assertTrue(checked > restored.size() / 2, "most offsets have exact syncs: " + checked);
    }

    private static WorkerHandle workerRunningTask(String connector, int task) {
        ConnectorStateInfo status = connect.connectorStatus(connector);
        String workerId = status.tasks().stream().filter(t -> t.id() == task).findFirst().orElseThrow().workerId();
        WorkerHandle found = null;
        for (WorkerHandle worker : connect.workers()) {
            if (workerId.equals(worker.url().getHost() + ":" + worker.url().getPort())) {
                found = worker;
            }
        }
        assertNotNull(found, "no worker with id " + workerId + " among " + connect.workers());
        return found;
    }
}
