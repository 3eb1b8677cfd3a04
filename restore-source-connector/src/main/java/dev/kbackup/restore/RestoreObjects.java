package dev.kbackup.restore;

import dev.kbackup.groups.GroupOffsetsReport;
import dev.kbackup.groups.StoredTranslationLog;
import dev.kbackup.layout.Json;
import dev.kbackup.layout.RestoreKeys;
import dev.kbackup.storage.ObjectStore;
import dev.kbackup.storage.WriteMode;
import org.apache.kafka.common.TopicPartition;

import java.time.Instant;
import java.util.Optional;

/**
 * The one owner of what a restore keeps in the backup's storage: it reads each partition's offset translation log
 * when the task resumes it, writes the logs as they change, and writes the task's summary.
 */
final class RestoreObjects {

    private final ObjectStore store;
    private final RestoreKeys keys;

    RestoreObjects(ObjectStore store, RestoreKeys keys) {
        this.store = store;
        this.keys = keys;
    }

    /** The partition's offset translation log, continuing what an earlier run stored (if anything). */
    OffsetTranslationLog resumeLog(String backupId, PartitionPlan plan, long resumeAfter) {
        String key = keys.offsetMapKey(plan.source());
        StoredTranslationLog stored = store.readIfExists(key)
                .map(bytes -> Json.read(bytes, StoredTranslationLog.class, key))
                .orElse(null);
        return OffsetTranslationLog.resume(backupId, plan.source(), plan.target(), stored, resumeAfter);
    }

    /** The stored offset map of a restored source partition, or empty if none was stored. */
    Optional<StoredTranslationLog> readLog(TopicPartition source) {
        String key = keys.offsetMapKey(source);
        return store.readIfExists(key).map(bytes -> Json.read(bytes, StoredTranslationLog.class, key));
    }

    /** Stores what the task did with the consumer groups' offsets; returns where it went, for the log. */
    String writeGroupOffsets(GroupOffsetsReport report) {
        String key = keys.groupOffsetsKey(report.task());
        store.put(key, Json.write(report), WriteMode.OVERWRITE);
        return key + " in " + store.describe();
    }

    /** Stores the log as it stands at {@code now}. */
    void writeLog(OffsetTranslationLog log, Instant now) {
        TopicPartition source = log.source();
        store.put(keys.offsetMapKey(source), Json.write(log.snapshot(now)), WriteMode.OVERWRITE);
    }

    /** Stores the task's summary; returns where it went, for the log. */
    String writeSummary(RestoreSummary summary) {
        String key = keys.summaryKey(summary.task());
        store.put(key, Json.write(summary), WriteMode.OVERWRITE);
        return key + " in " + store.describe();
    }
}
