package dev.kbackup.restore;

import dev.kbackup.format.BackupRecord;
import dev.kbackup.format.SegmentInfo;
import dev.kbackup.format.TimeWindow;
import dev.kbackup.layout.MissingOffsets;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.connect.header.Header;
import org.apache.kafka.connect.source.SourceRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The restore one task performs, without Connect's lifecycle: takes batches from its partitions' restorers in
 * turn (within the throttle), keeps each partition's offset translation log from the acknowledgements, persists
 * those logs, and once everything read has been acknowledged writes the summary.
 */
final class AssignedPartitions implements PartitionRestorer.Listener {

    private static final Logger log = LoggerFactory.getLogger(AssignedPartitions.class);

    /**
     * One restored partition: where its records come from, how they become SourceRecords, where they went, and
     * what an earlier run under this connector name restored (null if this run starts at the beginning).
     */
    record Partition(PartitionRestorer restorer, SourceRecordConverter records, OffsetTranslationLog offsets,
                     EarlierRun earlier) {

        /** An earlier run restored everything there is, so this one wrote nothing. */
        boolean alreadyRestored() {
            return earlier != null && restorer.isDone() && offsets.recordsThisRun() == 0;
        }
    }

    /**
     * What an earlier run of the connector restored of a partition: up to which original offset (from Connect's
     * source offsets) and when it last stored its offset map (null if unknown).
     */
    record EarlierRun(long restoredUpTo, Instant recordedAt) {
    }

    private final String backupId;
    private final String connector;
    private final int task;
    private final List<Partition> partitions;
    private final Map<TopicPartition, Partition> bySource = new HashMap<>();
    // acknowledged records carry the very map their converter made: found without building a TopicPartition
    private final Map<Map<String, Object>, Partition> bySourcePartition = new IdentityHashMap<>();
    private final Throttle throttle;
    private final InFlightBytes inFlight;
    private final int batchMaxRecords;
    private final RestoreMetrics metrics;
    private final RestoreObjects objects;
    private final TimeWindow window;
    private final Clock clock;
    private final Instant startedAt;
    private final Duration persistInterval;
    private final AtomicLong emitted = new AtomicLong();
    private final AtomicLong acknowledged = new AtomicLong();
    private final AtomicLong skippedByWindow = new AtomicLong();
    private final List<RestoreSummary.SkippedSegment> skipped = Collections.synchronizedList(new ArrayList<>());
    private final Set<TopicPartition> warnedAlreadyRestored = new HashSet<>();
    private volatile int partitionsAlreadyRestored;
    private final List<RestoreSummary.MissingRange> missing = Collections.synchronizedList(new ArrayList<>());
    private final Object persistLock = new Object();
    private Instant lastPersist;
    private int nextPartition;
    private boolean segmentBoundary;
    private volatile boolean complete;
    private boolean following;

    AssignedPartitions(RestoreTaskId id, RestorePolicy policy, RestoreMetrics metrics, RestoreObjects objects,
                       Clock clock, Duration persistInterval) {
        this.backupId = id.backupId();
        this.connector = id.connectorName();
        this.task = id.taskNumber();
        this.partitions = new ArrayList<>();
        this.throttle = policy.throttle();
        this.inFlight = new InFlightBytes(policy.inFlightBytes());
        this.batchMaxRecords = policy.batchMaxRecords();
        this.metrics = metrics;
        this.objects = objects;
        this.window = policy.window();
        this.clock = clock;
        this.startedAt = clock.instant();
        this.lastPersist = startedAt;
        this.persistInterval = persistInterval;
    }

    /**
     * The restore follows the backup: a resumed partition with nothing left to restore now is not restored in full,
     * as more may be published, so it is not warned about. Call before {@link #add}.
     */
    void following() {
        following = true;
    }

    void add(Partition partition) {
        partitions.add(partition);
        bySource.put(partition.records().source(), partition);
        bySourcePartition.put(partition.records().sourcePartition(), partition);
        if (!following && partition.earlier() != null && partition.restorer().remainingRecords() == 0) {
            warnAlreadyRestored(partition);
        }
    }

    /**
     * Warns about each resumed partition whose target holds fewer records than an earlier run wrote into it.
     *
     * @param targetEndOffsets end offset of each target partition now (missing: unknown, not checked)
     */
    void checkTargets(Map<TopicPartition, Long> targetEndOffsets) {
        for (Partition partition : partitions) {
            Long end = targetEndOffsets.get(partition.offsets().target());
            if (partition.earlier() == null || end == null) {
                continue;
            }
            String shortfall = ResumePoints.targetShortfall(backupId, connector, partition.offsets().source(),
                    partition.offsets().target(), partition.earlier().restoredUpTo(), end,
                    partition.offsets().lastSyncedTargetOffset());
            if (shortfall != null) {
                log.warn(shortfall);
            }
        }
    }

    /** Tells, once per partition, that an earlier run restored everything of it and how to restore it again. */
    private void warnAlreadyRestored(Partition partition) {
        if (!warnedAlreadyRestored.add(partition.offsets().source())) {
            return;
        }
        EarlierRun earlier = partition.earlier();
        log.warn("Restore connector '{}' task {}: {} of backup {} was already restored by an earlier run under this "
                        + "connector name: Connect's source offsets say original offsets up to {} were restored into "
                        + "{} (offset map last stored at {}), and nothing after them is left in window {}. This run "
                        + "restores nothing for it. To restore it again, {}.", connector, task,
                partition.offsets().source(), backupId, earlier.restoredUpTo(), partition.offsets().target(),
                earlier.recordedAt() == null ? "an unknown time" : earlier.recordedAt(), window,
                RestoreOffsets.howToStartOver(connector));
    }


    /**
     * The next batch, taken from the partitions in turn, or an empty list when nothing is left to read.
     *
     * @throws UnreadableSegmentException if a segment cannot be read under the fail policy; records taken before
     *                                    are in {@code partial}
     */
    List<SourceRecord> nextBatch(List<SourceRecord> partial) {
        long byteBudget = Math.min(throttle.batchBytes(), inFlight.room());
        long bytes = 0;
        if (everythingRead() || byteBudget == 0) {
            return partial;
        }
        // shared by the partitions that can hand out records now, not those waiting for their turn to read
        int reading = (int) partitions.stream().filter(p -> !p.restorer().isDone() && !p.restorer().isWaiting())
                .count();
        int perPartition = Math.max(1, batchMaxRecords / Math.max(1, reading));
        List<BackupRecord> taken = new ArrayList<>();
        for (int i = 0; i < partitions.size() && partial.size() < batchMaxRecords && bytes < byteBudget; i++) {
            Partition partition = partitions.get((nextPartition + i) % partitions.size());
            if (partition.restorer().isDone()) {
                continue;
            }
            taken.clear();
            long before = bytes;
            try {
                partition.restorer().drainTo(taken, Math.min(perPartition, batchMaxRecords - partial.size()),
                        byteBudget - bytes);
            } finally {
                for (BackupRecord record : taken) {
                    SourceRecord converted = partition.records().toSourceRecord(record);
                    partial.add(converted);
                    bytes += sizeOf(converted);
                }
                emitted.addAndGet(taken.size());
                inFlight.add(bytes - before);
                if (partition.restorer().takeSegmentEnded()) {
                    segmentBoundary = true;
                }
            }
        }
        throttle.consume(bytes);
        nextPartition = (nextPartition + 1) % partitions.size();
        return partial;
    }

    /** True once if a segment ended since the last call. */
    boolean takeSegmentBoundary() {
        boolean boundary = segmentBoundary;
        segmentBoundary = false;
        return boundary;
    }

    /**
     * Waits up to {@code timeoutMs} until records handed out are few enough for another batch; false if they are
     * not yet (the producer is behind).
     */
    boolean awaitProducer(long timeoutMs) throws InterruptedException {
        return inFlight.awaitRoom(timeoutMs);
    }

    /** Every selected record has been read and handed to Connect. */
    boolean everythingRead() {
        return partitions.stream().allMatch(p -> p.restorer().isDone());
    }

    /** Every record handed to Connect has been acknowledged (or dropped by a transformation). */
    boolean everythingAcknowledged() {
        return acknowledged.get() >= emitted.get();
    }

    boolean isComplete() {
        return complete;
    }

    /** Connect wrote {@code record} (metadata null: a transformation or error tolerance dropped it). */
    void acknowledged(SourceRecord record, RecordMetadata metadata) {
        acknowledged.incrementAndGet();
        long size = sizeOf(record);
        inFlight.release(size);
        Partition partition = partitionOf(record);
        if (partition == null) {
            return;
        }
        long original = RestoreOffsets.offset(record.sourceOffset());
        if (metadata != null && metadata.hasOffset()) {
            partition.offsets().record(original, metadata.offset(), size);
        } else {
            partition.offsets().recordWithoutPosition(original, size);
        }
        metrics.restored(1, size);
    }

    private Partition partitionOf(SourceRecord record) {
        Partition partition = bySourcePartition.get(record.sourcePartition());
        if (partition != null) {
            return partition;
        }
        TopicPartition source = RestoreOffsets.topicPartition(record.sourcePartition());
        return source == null ? null : bySource.get(source);
    }

    /** Writes the offset translation logs that changed, if the interval has passed (or {@code force}). */
    void persistOffsets(boolean force) {
        synchronized (persistLock) {
            Instant now = clock.instant();
            if (!force && now.isBefore(lastPersist.plus(persistInterval))) {
                return;
            }
            for (Partition partition : partitions) {
                if (partition.offsets().isDirty()) {
                    objects.writeLog(partition.offsets(), now);
                }
            }
            lastPersist = now;
        }
    }

    /** Persists everything, writes and logs the summary; the task is idle from now on. */
    RestoreSummary complete() {
        persistOffsets(true);
        Instant now = clock.instant();
        List<RestoreSummary.PartitionSummary> perPartition = new ArrayList<>();
        long records = 0;
        long recordsThisRun = 0;
        long bytes = 0;
        int alreadyRestored = 0;
        for (Partition partition : partitions) {
            OffsetTranslationLog offsets = partition.offsets();
            boolean done = partition.alreadyRestored();
            if (done) {
                warnAlreadyRestored(partition);
                alreadyRestored++;
            }
            perPartition.add(new RestoreSummary.PartitionSummary(offsets.source().topic(), offsets.source().partition(),
                    offsets.target().topic(), offsets.target().partition(), offsets.records(),
                    offsets.recordsThisRun(), offsets.bytes(), offsets.firstOffset(), offsets.lastOffset(),
                    partition.earlier() == null ? -1 : partition.earlier().restoredUpTo(), done));
            records += offsets.records();
            recordsThisRun += offsets.recordsThisRun();
            bytes += offsets.bytes();
        }
        partitionsAlreadyRestored = alreadyRestored;
        RestoreSummary summary = new RestoreSummary(backupId, connector, task, startedAt, now,
                Duration.between(startedAt, now).toMillis(), window.toString(), records, recordsThisRun, bytes,
                skippedByWindow.get(), alreadyRestored, List.copyOf(skipped), List.copyOf(missing), perPartition);
        String location = objects.writeSummary(summary);
        log.info("{}\nSummary written to {}", summary.describe(), location);
        complete = true;
        return summary;
    }

    /** Partitions an earlier run had restored in full, so this run wrote nothing for them (known on completion). */
    long partitionsAlreadyRestored() {
        return partitionsAlreadyRestored;
    }

    long recordsRemaining() {
        return partitions.stream().mapToLong(p -> p.restorer().remainingRecords()).sum();
    }

    long bytesRemaining() {
        return partitions.stream().mapToLong(p -> p.restorer().remainingBytes()).sum();
    }

    @Override
    public void skippedByWindow(long records) {
        skippedByWindow.addAndGet(records);
        metrics.skippedByWindow(records);
    }

    @Override
    public void segmentSkipped(PartitionPlan plan, SegmentInfo segment, RuntimeException cause, long firstMissing) {
        metrics.corruptSegmentSkipped();
        skipped.add(new RestoreSummary.SkippedSegment(segment.key(), plan.source().topic(), plan.source().partition(),
                firstMissing, segment.lastOffset(), cause.getMessage()));
        log.error("Skipping unreadable segment {} of {} in backup {} ({}={}): records with offsets {}..{} of {} are "
                        + "NOT restored to {}. Cause: {}", segment.key(), plan.source(), backupId,
                RestoreConfig.CORRUPT_SEGMENT_POLICY, CorruptSegmentPolicy.SKIP.configName(), firstMissing,
                segment.lastOffset(), plan.source(), plan.target(), cause.getMessage());
    }

    @Override
    public void offsetsMissing(PartitionPlan plan, MissingOffsets range) {
        metrics.corruptSegmentSkipped();
        missing.add(new RestoreSummary.MissingRange(plan.source().topic(), plan.source().partition(),
                range.firstOffset(), range.lastOffset(), range.before().key(), range.after().key()));
        log.warn("Restoring {} of backup {} without offsets {}..{} ({}={}): {}", plan.source(), backupId,
                range.firstOffset(), range.lastOffset(), RestoreConfig.CORRUPT_SEGMENT_POLICY,
                CorruptSegmentPolicy.SKIP.configName(), range.describe(backupId));
    }

    /** Bytes of a record as produced: key, value, header keys and header values. */
    static long sizeOf(SourceRecord record) {
        long size = length(record.key()) + length(record.value());
        for (Header header : record.headers()) {
            size += Utils.utf8Length(header.key()) + length(header.value());
        }
        return size;
    }

    private static long length(Object value) {
        return value instanceof byte[] bytes ? bytes.length : 0;
    }
}
