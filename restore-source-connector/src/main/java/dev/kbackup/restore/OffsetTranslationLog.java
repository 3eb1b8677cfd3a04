package dev.kbackup.restore;

import dev.kbackup.groups.StoredTranslationLog;
import org.apache.kafka.common.TopicPartition;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Where each restored record of one partition landed: a list of sync points, original offset to target offset,
 * kept only where the delta between them changes (an offset gap in the backup, a transaction marker, a restart),
 * as MirrorMaker 2's offset syncs do. Also counts what was restored. Thread-safe: the producer's callbacks record,
 * the task persists.
 */
final class OffsetTranslationLog {

    private final String backupId;
    private final TopicPartition source;
    private final TopicPartition target;
    private final List<StoredTranslationLog.Sync> syncs = new ArrayList<>();
    private final List<StoredTranslationLog.Range> unsynced = new ArrayList<>();
    private long records;
    private long recordsThisRun;
    private long bytes;
    private long firstOffset = -1;
    private long lastOffset = -1;
    // the last record written, to tell whether the next one keeps the same delta
    private long runOriginal = -1;
    private long runTarget = -1;
    private boolean dirty;
    private Instant storedAt;

    OffsetTranslationLog(String backupId, TopicPartition source, TopicPartition target) {
        this.backupId = backupId;
        this.source = source;
        this.target = target;
    }

    /**
     * The log of a partition whose restore starts or resumes. {@code stored} is what an earlier run persisted (null
     * if nothing); {@code resumeAfter} is the last offset Connect committed for the partition (-1 if none): records
     * up to it that the stored log does not know were restored without their sync points.
     */
    static OffsetTranslationLog resume(String backupId, TopicPartition source, TopicPartition target,
                                       StoredTranslationLog stored, long resumeAfter) {
        OffsetTranslationLog log = new OffsetTranslationLog(backupId, source, target);
        if (stored != null && stored.targetTopic().equals(target.topic())
                && stored.targetPartition() == target.partition()) {
            log.syncs.addAll(stored.syncs());
            log.unsynced.addAll(stored.unsyncedRanges());
            log.records = stored.restoredRecords();
            log.bytes = stored.restoredBytes();
            log.firstOffset = stored.firstOffset();
            log.lastOffset = stored.lastOffset();
            log.storedAt = stored.updatedAt();
        }
        if (resumeAfter > log.lastOffset) {
            log.unsynced.add(new StoredTranslationLog.Range(log.lastOffset + 1, resumeAfter));
            log.lastOffset = resumeAfter;
            log.dirty = true;
        }
        return log;
    }

    TopicPartition source() {
        return source;
    }

    TopicPartition target() {
        return target;
    }

    /**
     * A record with original offset {@code original} was written at {@code targetOffset}. A record written again
     * (after a restart) replaces the sync points from its offset on: consumers should be pointed at the later copy.
     */
    synchronized void record(long original, long targetOffset, long payloadBytes) {
        count(original, payloadBytes);
        long previous = runOriginal >= 0 ? runOriginal : lastOffset;
        if (original <= previous) {
            syncs.removeIf(sync -> sync.originalOffset() >= original);
            runOriginal = -1;
        }
        boolean sameDelta = runOriginal >= 0 && targetOffset - runTarget == original - runOriginal;
        if (!sameDelta) {
            syncs.add(new StoredTranslationLog.Sync(original, targetOffset));
        }
        runOriginal = original;
        runTarget = targetOffset;
        lastOffset = Math.max(lastOffset, original);
    }

    /** A record was restored but its position is unknown (a transformation dropped it). */
    synchronized void recordWithoutPosition(long original, long payloadBytes) {
        count(original, payloadBytes);
        lastOffset = Math.max(lastOffset, original);
        runOriginal = -1;
    }

    private void count(long original, long payloadBytes) {
        records++;
        recordsThisRun++;
        bytes += payloadBytes;
        firstOffset = firstOffset < 0 ? original : Math.min(firstOffset, original);
        dirty = true;
    }

    /** The target offset a consumer positioned at original offset {@code original} should be moved to, or -1. */
    synchronized long translate(long original) {
        if (syncs.isEmpty()) {
            return -1;
        }
        int index = -1;
        for (int i = 0; i < syncs.size() && syncs.get(i).originalOffset() <= original; i++) {
            index = i;
        }
        if (index < 0) {
            return syncs.get(0).targetOffset();
        }
        StoredTranslationLog.Sync sync = syncs.get(index);
        long translated = sync.targetOffset() + (original - sync.originalOffset());
        if (index + 1 < syncs.size()) {
            translated = Math.min(translated, syncs.get(index + 1).targetOffset());
        }
        return translated;
    }

    synchronized long records() {
        return records;
    }

    /** When an earlier run last stored the log this one resumed from, or null if it resumed from none. */
    synchronized Instant earlierRunStoredAt() {
        return storedAt;
    }

    /** Records restored since this log was created, not counting what earlier runs stored. */
    synchronized long recordsThisRun() {
        return recordsThisRun;
    }

    /** The target offset of the last sync point: the target partition held at least this offset. -1 if none. */
    synchronized long lastSyncedTargetOffset() {
        return syncs.isEmpty() ? -1 : syncs.get(syncs.size() - 1).targetOffset();
    }

    synchronized long bytes() {
        return bytes;
    }

    synchronized long firstOffset() {
        return firstOffset;
    }

    synchronized long lastOffset() {
        return lastOffset;
    }

    /** The stored form, and whether it changed since the last call that said so. */
    synchronized StoredTranslationLog snapshot(Instant now) {
        dirty = false;
        return new StoredTranslationLog(backupId, source.topic(), source.partition(), target.topic(),
                target.partition(), now, records, bytes, firstOffset, lastOffset, syncs, unsynced);
    }

    synchronized boolean isDirty() {
        return dirty;
    }
}
