package dev.kbackup.restore;

import dev.kbackup.groups.StoredTranslationLog;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OffsetTranslationLogTest {

    private static final TopicPartition SOURCE = new TopicPartition("orders", 2);
    private static final TopicPartition TARGET = new TopicPartition("orders-restored", 2);

    @Test
    void keepsASyncPointOnlyWhereTheDeltaChanges() {
        OffsetTranslationLog log = new OffsetTranslationLog("b1", SOURCE, TARGET);
        for (long original = 100; original < 200; original++) {
            log.record(original, original - 100, 10);
        }
        // a compaction gap: originals 200..249 are gone
        for (long original = 250; original < 300; original++) {
            log.record(original, original - 150, 10);
        }
        StoredTranslationLog map = log.snapshot(Instant.EPOCH);
        assertEquals(List.of(new StoredTranslationLog.Sync(100, 0), new StoredTranslationLog.Sync(250, 100)),
                map.syncs());
        assertEquals(150, map.restoredRecords());
        assertEquals(1500, map.restoredBytes());
        assertEquals(100, map.firstOffset());
        assertEquals(299, map.lastOffset());
    }

    @Test
    void translatesOffsetsInsideRunsAndGapsToTheNextRecordRestored() {
        OffsetTranslationLog log = new OffsetTranslationLog("b1", SOURCE, TARGET);
        for (long original = 100; original < 200; original++) {
            log.record(original, original - 100, 0);
        }
        for (long original = 250; original < 300; original++) {
            log.record(original, original - 150, 0);
        }
        assertEquals(0, log.translate(50));
        assertEquals(0, log.translate(100));
        assertEquals(99, log.translate(199));
        assertEquals(100, log.translate(200));
        assertEquals(100, log.translate(249));
        assertEquals(100, log.translate(250));
        assertEquals(149, log.translate(299));
        assertEquals(150, log.translate(300));
    }

    @Test
    void aRecordWrittenAgainAfterARestartReplacesTheLaterSyncs() {
        OffsetTranslationLog log = new OffsetTranslationLog("b1", SOURCE, TARGET);
        for (long original = 0; original < 100; original++) {
            log.record(original, original, 0);
        }
        // restart resumed after 59: 60..99 are written again at 100..139
        for (long original = 60; original < 100; original++) {
            log.record(original, original + 40, 0);
        }
        assertEquals(List.of(new StoredTranslationLog.Sync(0, 0), new StoredTranslationLog.Sync(60, 100)),
                log.snapshot(Instant.EPOCH).syncs());
        assertEquals(59, log.translate(59));
        assertEquals(100, log.translate(60));
        assertEquals(140, log.translate(100));
    }

    @Test
    void resumingBeyondWhatWasPersistedRecordsTheUnsyncedRange() {
        OffsetTranslationLog first = new OffsetTranslationLog("b1", SOURCE, TARGET);
        for (long original = 0; original < 10; original++) {
            first.record(original, original, 1);
        }
        StoredTranslationLog stored = first.snapshot(Instant.EPOCH);
        assertFalse(first.isDirty());

        OffsetTranslationLog resumed = OffsetTranslationLog.resume("b1", SOURCE, TARGET, stored, 25);
        resumed.record(26, 30, 1);

        StoredTranslationLog map = resumed.snapshot(Instant.EPOCH);
        assertEquals(List.of(new StoredTranslationLog.Range(10, 25)), map.unsyncedRanges());
        assertEquals(List.of(new StoredTranslationLog.Sync(0, 0), new StoredTranslationLog.Sync(26, 30)), map.syncs());
        assertEquals(11, map.restoredRecords());
        assertEquals(26, map.lastOffset());
    }

    @Test
    void aStoredLogOfAnotherTargetIsNotContinued() {
        OffsetTranslationLog first = new OffsetTranslationLog("b1", SOURCE, TARGET);
        first.record(0, 0, 1);
        OffsetTranslationLog resumed = OffsetTranslationLog.resume("b1", SOURCE, new TopicPartition("x", 0),
                first.snapshot(Instant.EPOCH), -1);
        assertTrue(resumed.snapshot(Instant.EPOCH).syncs().isEmpty());
    }

    @Test
    void aResumedLogTellsWhatThisRunRestoredAndWhenTheEarlierRunLastStoredIt() {
        OffsetTranslationLog first = new OffsetTranslationLog("b1", SOURCE, TARGET);
        for (long original = 0; original < 10; original++) {
            first.record(original, original, 1);
        }
        Instant storedAt = Instant.parse("2026-11-20T08:00:00Z");

        OffsetTranslationLog resumed = OffsetTranslationLog.resume("b1", SOURCE, TARGET, first.snapshot(storedAt), 9);
        resumed.record(10, 10, 1);

        assertEquals(11, resumed.records());
        assertEquals(1, resumed.recordsThisRun());
        assertEquals(storedAt, resumed.earlierRunStoredAt());
        assertEquals(10, resumed.lastSyncedTargetOffset(), "a resumed run starts a new sync point");
        assertNull(OffsetTranslationLog.resume("b1", SOURCE, new TopicPartition("x", 0), first.snapshot(storedAt),
                9).earlierRunStoredAt(), "a log of another target is not resumed from");
    }
}
