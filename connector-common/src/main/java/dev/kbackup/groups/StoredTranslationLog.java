package dev.kbackup.groups;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import java.time.Instant;
import java.util.List;

/**
 * The stored form of one partition's {@link OffsetTranslationLog}, at
 * {@code {prefix}/{backup.id}/restores/{connector}/offset-map/{topic}/partition={p}.json}.
 *
 * <p>To translate an original offset {@code X} (e.g. a consumer group's committed position): take the last sync
 * {@code s} with {@code s.originalOffset <= X} and the sync after it {@code n} (if any); the target offset is
 * {@code min(s.targetOffset + (X - s.originalOffset), n.targetOffset)}. Offsets before the first sync translate to
 * the first sync's target offset. {@code unsyncedRanges} lists original offsets that were restored while no sync
 * could be recorded (the task stopped between producing and persisting); translations inside them may point a
 * little early, never past a record that was not yet restored.
 */
@JsonPropertyOrder({"backupId", "topic", "partition", "targetTopic", "targetPartition", "updatedAt",
    "restoredRecords", "restoredBytes", "firstOffset", "lastOffset", "syncs", "unsyncedRanges"})
public record StoredTranslationLog(String backupId, String topic, int partition, String targetTopic, int targetPartition,
                 Instant updatedAt, long restoredRecords, long restoredBytes, long firstOffset, long lastOffset,
                 List<Sync> syncs, List<Range> unsyncedRanges) {

    public StoredTranslationLog {
        syncs = syncs == null ? List.of() : List.copyOf(syncs);
        unsyncedRanges = unsyncedRanges == null ? List.of() : List.copyOf(unsyncedRanges);
    }

    /** From this original offset on, target offset = targetOffset + (original - originalOffset). */
    public record Sync(long originalOffset, long targetOffset) {
    }

    /** Original offsets {@code [from, to]}, both inclusive. */
    public record Range(long from, long to) {
    }
}
