package dev.kbackup.restore;

import dev.kbackup.groups.GroupOffsetTranslator.Derivation;
import dev.kbackup.groups.GroupOffsetTranslator.Translation;
import dev.kbackup.groups.GroupOffsetTranslator;
import dev.kbackup.groups.StoredTranslationLog;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The translation rule for consumer group offsets: exact on restored records, the next restored record for one
 * that was not restored, the end of what was restored past the last one; never a target offset past a record the
 * group had not read yet. The offset maps are built the way the restore builds them, through OffsetTranslationLog.
 */
class GroupOffsetTranslatorTest {

    private static final TopicPartition SOURCE = new TopicPartition("orders", 0);
    private static final TopicPartition TARGET = new TopicPartition("orders-copy", 2);

    @Test
    void anOffsetOnARestoredRecordMapsExactly() {
        StoredTranslationLog log = restored(offsets(100, 199), 0);

        assertEquals(new Translation(150, 50, Derivation.EXACT), translate(log, 150));
        assertEquals(new Translation(100, 0, Derivation.EXACT), translate(log, 100));
        assertEquals(new Translation(199, 99, Derivation.EXACT), translate(log, 199));
    }

    @Test
    void anOffsetOnARecordNotRestoredMapsToTheNextRestoredRecord() {
        // 0..9 restored, 10..19 compacted away in the backup, 20..29 restored
        StoredTranslationLog log = restored(concat(offsets(0, 9), offsets(20, 29)), 0);

        assertEquals(new Translation(10, 10, Derivation.NEXT_RESTORED), translate(log, 10));
        assertEquals(new Translation(19, 10, Derivation.NEXT_RESTORED), translate(log, 19));
        assertEquals(new Translation(20, 10, Derivation.EXACT), translate(log, 20), "the record at 20 landed at 10");
        assertEquals(new Translation(25, 15, Derivation.EXACT), translate(log, 25));
    }

    @Test
    void anOffsetPastTheLastRestoredRecordMapsToTheEndOfWhatWasRestored() {
        // the window ended at offset 49: the group had read up to 80 before the disaster
        StoredTranslationLog log = restored(offsets(0, 49), 1000);

        assertEquals(new Translation(50, 1050, Derivation.END_OF_RESTORED), translate(log, 50));
        assertEquals(new Translation(80, 1050, Derivation.END_OF_RESTORED), translate(log, 80));
    }

    @Test
    void anOffsetBeforeEverythingRestoredMapsToTheFirstRestoredRecord() {
        // the window started at offset 500: the group's position at 300 re-reads from the first restored record
        StoredTranslationLog log = restored(offsets(500, 599), 0);

        assertEquals(new Translation(300, 0, Derivation.FIRST_RESTORED), translate(log, 300));
    }

    @Test
    void transactionMarkersInTheTargetDoNotShiftExactTranslations() {
        OffsetTranslationLog log = new OffsetTranslationLog("b1", SOURCE, TARGET);
        for (long original = 0; original < 5; original++) {
            log.record(original, original, 10);
        }
        // a commit marker took target offset 5
        for (long original = 5; original < 10; original++) {
            log.record(original, original + 1, 10);
        }
        StoredTranslationLog stored = log.snapshot(Instant.EPOCH);

        assertEquals(new Translation(4, 4, Derivation.EXACT), translate(stored, 4));
        assertEquals(new Translation(5, 6, Derivation.EXACT), translate(stored, 5));
        assertEquals(new Translation(10, 11, Derivation.END_OF_RESTORED), translate(stored, 10));
    }

    @Test
    void offsetsRestoredWithoutSyncPointsMapEarlyNeverLate() {
        // 0..9 synced; a task stopped after restoring 10..19 before persisting their positions
        OffsetTranslationLog first = new OffsetTranslationLog("b1", SOURCE, TARGET);
        offsets(0, 9).forEach(original -> first.record(original, original, 10));
        StoredTranslationLog resumed = OffsetTranslationLog.resume("b1", SOURCE, TARGET,
                first.snapshot(Instant.EPOCH), 19).snapshot(Instant.EPOCH);

        assertEquals(new Translation(15, 10, Derivation.UNSYNCED_EARLIER), translate(resumed, 15));
        assertEquals(new Translation(25, 10, Derivation.END_OF_RESTORED), translate(resumed, 25),
                "the records without positions are read again");
    }

    @Test
    void aPartitionWithNothingRestoredGetsNoOffset() {
        StoredTranslationLog empty = new OffsetTranslationLog("b1", SOURCE, TARGET).snapshot(Instant.EPOCH);

        assertEquals(new Translation(42, -1, Derivation.NOTHING_RESTORED), translate(empty, 42));
    }

    @Test
    void neverSkipsARestoredRecordTheGroupHadNotRead() {
        // many gaps; for every committed offset, every restored record at or after it lands at or after the target
        List<Long> restored = concat(concat(offsets(3, 7), offsets(12, 12)), concat(offsets(15, 30), offsets(40, 41)));
        StoredTranslationLog log = restored(restored, 7);
        for (long committed = 0; committed <= 45; committed++) {
            long target = translate(log, committed).targetOffset();
            for (int i = 0; i < restored.size(); i++) {
                if (restored.get(i) >= committed) {
                    assertEquals(true, 7 + i >= target, "committed " + committed + " -> " + target
                            + " would skip original " + restored.get(i) + " at " + (7 + i));
                }
            }
        }
    }

    private static Translation translate(StoredTranslationLog log, long committed) {
        return GroupOffsetTranslator.translate(log, committed);
    }

    /** The stored map of records with these original offsets, written one after another from {@code firstTarget}. */
    private static StoredTranslationLog restored(List<Long> originals, long firstTarget) {
        OffsetTranslationLog log = new OffsetTranslationLog("b1", SOURCE, TARGET);
        long target = firstTarget;
        for (long original : originals) {
            log.record(original, target++, 10);
        }
        return log.snapshot(Instant.EPOCH);
    }

    private static List<Long> offsets(long first, long last) {
        return java.util.stream.LongStream.rangeClosed(first, last).boxed().toList();
    }

    private static List<Long> concat(List<Long> a, List<Long> b) {
        return java.util.stream.Stream.concat(a.stream(), b.stream()).toList();
    }
}
