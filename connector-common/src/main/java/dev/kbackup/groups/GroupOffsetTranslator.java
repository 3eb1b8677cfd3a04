package dev.kbackup.groups;

import java.util.List;

/**
 * Translates a consumer group's committed offset in a backed-up partition (the next record the group would read)
 * into the target partition's offset, from the partition's stored offset map ({@link StoredTranslationLog}). The
 * rule, as MirrorMaker 2's checkpoints: a group may read a record again, never skip one. No Connect types, so an
 * operator tool reuses it as it is.
 *
 * <p>Sync points record where runs of restored records landed; a run starting at sync {@code s} holds
 * {@code min(next.original - s.original, next.target - s.target)} records in a row (the rest of the gap up to the
 * next sync is either original offsets that were not restored or target offsets taken by transaction markers).
 */
public final class GroupOffsetTranslator {

    /** How a target offset was derived, as the plan reports it. */
    public enum Derivation {
        /** the committed offset is a restored record: the target is that record */
        EXACT,
        /** the committed offset's record was not restored (outside the window, compacted): the next restored one */
        NEXT_RESTORED,
        /** the committed offset is before everything restored: the first restored record */
        FIRST_RESTORED,
        /** the committed offset is past the last restored record: the end of what was restored */
        END_OF_RESTORED,
        /** inside offsets restored without sync points (a task stopped before persisting them): a little early */
        UNSYNCED_EARLIER,
        /** nothing of the partition was restored: no offset is committed */
        NOTHING_RESTORED
    }

    /** The target offset of one committed offset; {@code targetOffset} is -1 for {@link Derivation#NOTHING_RESTORED}. */
    public record Translation(long originalOffset, long targetOffset, Derivation derivation) {
    }

    private GroupOffsetTranslator() {
    }

    /** @param committed the group's committed offset in the backed-up partition */
    public static Translation translate(StoredTranslationLog log, long committed) {
        List<StoredTranslationLog.Sync> syncs = log.syncs();
        if (syncs.isEmpty()) {
            return new Translation(committed, -1, Derivation.NOTHING_RESTORED);
        }
        for (StoredTranslationLog.Range range : log.unsyncedRanges()) {
            if (committed >= range.from() && committed <= range.to()) {
                // the records in the range were restored but where each landed is unknown: start at the range
                return new Translation(committed, synced(syncs, range.from()),
                        Derivation.UNSYNCED_EARLIER);
            }
        }
        if (committed > log.lastOffset()) {
            return new Translation(committed, endOfRestored(log), Derivation.END_OF_RESTORED);
        }
        if (committed < syncs.get(0).originalOffset()) {
            return new Translation(committed, syncs.get(0).targetOffset(), Derivation.FIRST_RESTORED);
        }
        int index = lastSyncAtOrBefore(syncs, committed);
        StoredTranslationLog.Sync sync = syncs.get(index);
        StoredTranslationLog.Sync next = index + 1 < syncs.size() ? syncs.get(index + 1) : null;
        long run = runLength(sync, next, log.lastOffset());
        if (committed - sync.originalOffset() < run) {
            return new Translation(committed, sync.targetOffset() + committed - sync.originalOffset(),
                    Derivation.EXACT);
        }
        // between runs: the record at the committed offset was not restored, the next run starts after it
        return new Translation(committed, next.targetOffset(), Derivation.NEXT_RESTORED);
    }

    /** One past the target offset of the last restored record whose position is known. */
    private static long endOfRestored(StoredTranslationLog log) {
        List<StoredTranslationLog.Sync> syncs = log.syncs();
        StoredTranslationLog.Sync last = syncs.get(syncs.size() - 1);
        long lastKnown = log.lastOffset();
        for (StoredTranslationLog.Range range : log.unsyncedRanges()) {
            if (range.to() >= lastKnown && range.from() > last.originalOffset()) {
                lastKnown = Math.min(lastKnown, range.from() - 1); // re-read what was restored without positions
            }
        }
        return last.targetOffset() + Math.max(0, lastKnown - last.originalOffset()) + 1;
    }

    /** The target offset at which the record at original offset {@code original} is, or the next restored one. */
    private static long synced(List<StoredTranslationLog.Sync> syncs, long original) {
        if (original < syncs.get(0).originalOffset()) {
            return syncs.get(0).targetOffset();
        }
        int index = lastSyncAtOrBefore(syncs, original);
        StoredTranslationLog.Sync sync = syncs.get(index);
        long translated = sync.targetOffset() + original - sync.originalOffset();
        return index + 1 < syncs.size() ? Math.min(translated, syncs.get(index + 1).targetOffset()) : translated;
    }

    private static long runLength(StoredTranslationLog.Sync sync, StoredTranslationLog.Sync next, long lastOffset) {
        if (next == null) {
            return lastOffset - sync.originalOffset() + 1;
        }
        return Math.min(next.originalOffset() - sync.originalOffset(), next.targetOffset() - sync.targetOffset());
    }

    private static int lastSyncAtOrBefore(List<StoredTranslationLog.Sync> syncs, long original) {
        int low = 0;
        int high = syncs.size() - 1;
        while (low < high) {
            int middle = (low + high + 1) >>> 1;
            if (syncs.get(middle).originalOffset() <= original) {
                low = middle;
            } else {
                high = middle - 1;
            }
        }
        return low;
    }
}
