package dev.kbackup.restore;

import dev.kbackup.format.BackupRecord;
import dev.kbackup.format.Codec;
import dev.kbackup.format.TimeWindow;
import dev.kbackup.testing.Await;
import dev.kbackup.testing.RandomRecords;
import dev.kbackup.testing.S3ConnectFixture;
import dev.kbackup.testing.S3ProxyFixture;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.utils.LogCaptureAppender;
import org.apache.kafka.connect.util.clusters.EmbeddedConnectCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static dev.kbackup.testing.KafkaTestData.assertRestored;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a restore connector does with the source offsets an earlier run left under its name, on a real Connect
 * worker and broker and a real S3 API: it never resumes into a target or window the offsets were not written for,
 * it says when there is nothing left to restore, and Connect's offset reset (KIP-875) restores everything again.
 */
class RestoreResumeIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(90);

    private static S3ConnectFixture cluster;
    private static S3ProxyFixture s3;
    private static EmbeddedConnectCluster connect;
    private static RestoreHarness harness;

    @BeforeAll
    static void start() throws Exception {
        cluster = S3ConnectFixture.start("restore-resume-it", 1, Map.of());
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
    void aRestoreRedirectedToAnotherTopicStopsInsteadOfSkippingWhatItHadRestoredAndAResetRestoresTheWholeWindow() {
        TestBackups backup = harness.backup("redirect");
        List<BackupRecord> records = new RandomRecords(800, 512, 0).records(0, 3000);
        backup.partition("events", 0, records, Codec.ZSTD, 500, 8 * 1024);
        backup.publish();
        long[] timestamps = records.stream().mapToLong(BackupRecord::timestamp).sorted().toArray();
        TimeWindow window = new TimeWindow(timestamps[300], timestamps[2700]);
        List<BackupRecord> expected = records.stream().filter(r -> window.contains(r.timestamp())).toList();
        Map<String, String> config = harness.config("redirect");
        config.put("tasks.max", "1");
        config.put(RestoreConfig.TOPIC_MAPPING, "events:events-t1");
        config.put(RestoreConfig.CREATE_TOPICS, "true");
        config.put(RestoreConfig.TIME_START, Long.toString(window.start()));
        config.put(RestoreConfig.TIME_END, Long.toString(window.end()));
        connect.configureConnector("restore-redirect", config);
        harness.awaitCompletion("restore-redirect", "redirect", TIMEOUT);
        assertRestored(expected, harness.readAll("events-t1", false), "events", 0, true);

        config.put(RestoreConfig.TOPIC_MAPPING, "events:events-t2");
        connect.configureConnector("restore-redirect", config);
        String trace = harness.awaitTaskFailure("restore-redirect", TIMEOUT);

        assertTrue(trace.contains("cannot resume 1 partitions of backup redirect"), trace);
        assertTrue(trace.contains("events-0: restored up to original offset " + expected.get(expected.size() - 1)
                .offset() + " with target events-t1-0"), trace);
        assertTrue(trace.contains("now configured: target events-t2-0"), trace);
        assertTrue(trace.contains("DELETE /connectors/restore-redirect/offsets"), trace);
        assertTrue(trace.contains("new connector name"), trace);
        assertEquals(0, harness.endOffset("events-t2", 0), "nothing was written to the new target");

        harness.forgetSummaries("restore-redirect", "redirect", 1);
        harness.restartFromTheBeginning("restore-redirect", TIMEOUT);
        harness.awaitCompletion("restore-redirect", "redirect", TIMEOUT);

        assertRestored(expected, harness.readAll("events-t2", false), "events", 0, true);
        assertEquals(expected.size(), harness.endOffset("events-t1", 0), "the first target is left as it was");
        connect.deleteConnector("restore-redirect");
    }

    @Test
    void aRestoreRecreatedUnderTheSameNameSaysItWasAlreadyDoneAndAnOffsetResetRestoresItAgain() {
        TestBackups backup = harness.backup("recreate");
        Map<Integer, List<BackupRecord>> originals = new HashMap<>();
        for (int p = 0; p < 2; p++) {
            List<BackupRecord> records = new RandomRecords(810 + p).records(0, 800);
            backup.partition("ledger", p, records, Codec.LZ4, 300, 4096);
            originals.put(p, records);
        }
        backup.publish();
        Map<String, String> config = harness.config("recreate");
        config.put("tasks.max", "1");
        config.put(RestoreConfig.TOPIC_MAPPING, "ledger:ledger-again");
        config.put(RestoreConfig.CREATE_TOPICS, "true");
        connect.configureConnector("restore-recreate", config);
        harness.awaitCompletion("restore-recreate", "recreate", TIMEOUT);
        connect.deleteConnector("restore-recreate");
        harness.forgetSummaries("restore-recreate", "recreate", 1);

        RestoreSummary again;
        try (LogCaptureAppender logs = LogCaptureAppender.createAndRegister(AssignedPartitions.class)) {
            connect.configureConnector("restore-recreate", config);
            again = harness.awaitCompletion("restore-recreate", "recreate", TIMEOUT).get(0);

            List<String> warnings = logs.getMessages("WARN");
            for (int p = 0; p < 2; p++) {
                String partition = "ledger-" + p + " of backup recreate was already restored by an earlier run";
                long last = originals.get(p).get(799).offset();
                String target = "original offsets up to " + last + " were restored into ledger-again-" + p;
                assertEquals(1, warnings.stream().filter(w -> w.contains(partition) && w.contains(target)
                        && w.contains("DELETE /connectors/restore-recreate/offsets")).count(), warnings.toString());
            }
        }
        assertEquals(0, again.recordsThisRun());
        assertEquals(2, again.partitionsAlreadyRestored());
        assertTrue(again.partitions().stream().allMatch(RestoreSummary.PartitionSummary::alreadyRestored));
        assertTrue(again.describe().contains("NOTHING was restored by this run"), again.describe());
        assertEquals(2, RestoreHarness.metric("restore-recreate", "partitions-already-restored"));
        assertEquals(0, RestoreHarness.metric("restore-recreate", "records-restored-total"));
        assertEquals(800, harness.endOffset("ledger-again", 0), "nothing written twice");

        harness.forgetSummaries("restore-recreate", "recreate", 1);
        harness.restartFromTheBeginning("restore-recreate", TIMEOUT);
        RestoreSummary restoredAgain = harness.awaitCompletion("restore-recreate", "recreate", TIMEOUT).get(0);

        assertEquals(1600, restoredAgain.recordsThisRun());
        assertEquals(0, restoredAgain.partitionsAlreadyRestored());
        List<ConsumerRecord<byte[], byte[]>> target = harness.readAll("ledger-again", false);
        for (int p = 0; p < 2; p++) {
            List<ConsumerRecord<byte[], byte[]>> partition = harness.partition(target, p);
            assertEquals(1600, partition.size(), "restored once more after the first 800");
            assertRestored(originals.get(p), partition.subList(800, 1600), "ledger", p, true);
        }
        connect.deleteConnector("restore-recreate");
    }

    @Test
    void aRestoreRecreatedAfterItsTargetTopicWasDeletedSaysTheTargetNoLongerHoldsWhatWasRestored() {
        TestBackups backup = harness.backup("lost-target");
        List<BackupRecord> records = new RandomRecords(820).records(0, 500);
        backup.partition("audit", 0, records, Codec.ZSTD, 200, 4096);
        backup.publish();
        Map<String, String> config = harness.config("lost-target");
        config.put("tasks.max", "1");
        config.put(RestoreConfig.TOPIC_MAPPING, "audit:audit-lost");
        config.put(RestoreConfig.CREATE_TOPICS, "true");
        connect.configureConnector("restore-lost-target", config);
        harness.awaitCompletion("restore-lost-target", "lost-target", TIMEOUT);
        connect.deleteConnector("restore-lost-target");
        connect.kafka().deleteTopic("audit-lost");
        Await.until(TIMEOUT, "audit-lost to be deleted", () ->
                connect.kafka().describeTopics("audit-lost").get("audit-lost").isEmpty());
        harness.forgetSummaries("restore-lost-target", "lost-target", 1);

        try (LogCaptureAppender logs = LogCaptureAppender.createAndRegister(AssignedPartitions.class)) {
            connect.configureConnector("restore-lost-target", config);
            // the summary counts what earlier runs wrote too, which the new target no longer holds
            RestoreSummary again = harness.awaitSummaries("restore-lost-target", "lost-target", TIMEOUT).get(0);

            String restoredUpTo = "restored up to original offset " + records.get(records.size() - 1).offset()
                    + " into audit-lost-0";
            List<String> shortfalls = logs.getMessages("WARN").stream()
                    .filter(w -> w.contains(restoredUpTo) && w.contains("now ends at offset 0")).toList();
            assertEquals(1, shortfalls.size(), logs.getMessages("WARN").toString());
            assertTrue(shortfalls.get(0).contains("DELETE /connectors/restore-lost-target/offsets"), shortfalls.get(0));
            assertEquals(1, again.partitionsAlreadyRestored());
        }
        assertEquals(0, harness.endOffset("audit-lost", 0));
        connect.deleteConnector("restore-lost-target");
    }
}
