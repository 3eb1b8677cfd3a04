package dev.kbackup.sink;

import dev.kbackup.Version;
import dev.kbackup.config.ClusterConfigKeys;
import dev.kbackup.format.BackupRecord;
import dev.kbackup.layout.BackupCatalog;
import dev.kbackup.layout.BackupLayout;
import dev.kbackup.layout.ClusterSnapshots;
import dev.kbackup.layout.PartitionIndex;
import dev.kbackup.layout.SegmentCompaction;
import dev.kbackup.storage.CircuitBreaker;
import dev.kbackup.storage.GuardedObjectStore;
import dev.kbackup.storage.ObjectStore;
import dev.kbackup.storage.ObjectStores;
import dev.kbackup.storage.StorageException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.metrics.PluginMetrics;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.errors.RetriableException;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.sink.SinkTask;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.function.UnaryOperator;

/**
 * Routes records to one {@link PartitionWriter} per topic-partition and reports only durable offsets to Connect;
 * each policy lives in its own type, the task wires them and routes.
 *
 * <p>Exactly once: a segment's name follows from its first offset and it is created only if the name is free,
 * so a restarted or zombie task cannot store an offset twice; {@link #open} resumes each partition after the
 * last offset found in storage ({@link PartitionResumer}); {@link #preCommit} commits only offsets inside complete
 * segments, as each writer knows them. When a segment cannot be stored, every partition is sought back to the
 * first offset it does not hold yet and the batch in hand is dropped (it will come again); the task never throws a
 * retriable error in that same call, so Connect cannot redeliver a stale batch after the seek.
 */
public class BackupSinkTask extends SinkTask {

    private static final Logger log = LoggerFactory.getLogger(BackupSinkTask.class);
    private static final long CLOSE_TIMEOUT_MS = 60_000;
    private static final long BACKPRESSURE_WAIT_MS = 5_000;

    private final Clock clock;
    private final UnaryOperator<ObjectStore> storeWrapper;
    /** The pipeline's executor, or null for its own thread. */
    private final ExecutorService pipelineThread;
    private final PartitionWriters writers = new PartitionWriters();
    private final PipelineEvents events = new PipelineEvents(writers,
            (segment, nanos) -> this.metrics.recordSegment(segment.sizeBytes(), segment.uncompressedBytes(), nanos));
    private final BackupLag lag = new BackupLag();

    private BackupSinkTaskConfig config;
    private GuardedObjectStore store;
    private BackupLayout layout;
    private MemoryBudget budget;
    private MemoryPressure memoryPressure;
    private SegmentPipeline pipeline;
    private StateStore state;
    private CatalogPublisher publisher;
    private StateStore.JobStatus job;
    private BackupSinkMetrics metrics;
    private ProgressCheckpoints checkpoints;
    private PartitionResumer resumer;
    private InternalTopicFilter topicFilter;
    /** Log end offsets for the backup lag, or null without {@code cluster.bootstrap.servers}. */
    private LogEndOffsets logEnds;
    private Rewinds rewinds;
    /** Snapshots of the source cluster, or null in tasks other than 0 or when snapshots are off. */
    private SnapshotTaker snapshots;
    private boolean firstSegmentSeen;

    public BackupSinkTask() {
        this(Clock.systemUTC());
    }

    // for testing
    BackupSinkTask(Clock clock) {
        this(clock, UnaryOperator.identity(), null);
    }

    // for testing: a store with faults injected, and the pipeline's work run on a controlled executor
    BackupSinkTask(Clock clock, UnaryOperator<ObjectStore> storeWrapper, ExecutorService pipelineThread) {
        this.clock = clock;
        this.storeWrapper = storeWrapper;
        this.pipelineThread = pipelineThread;
    }

    @Override
    public String version() {
        return Version.get();
    }

    @Override
    public void start(Map<String, String> props) {
        config = new BackupSinkTaskConfig(props);
        layout = config.layout();
        topicFilter = new InternalTopicFilter(config.topics());
        String taskName = config.connectorName() + "-" + config.taskNumber();
        store = new GuardedObjectStore(storeWrapper.apply(ObjectStores.open(config.storage())),
                new CircuitBreaker(config.storageFailureThreshold(), config.storageRecoveryInterval()));
        BackupCatalog catalog = new BackupCatalog(store, layout);

        String stateName = BackupLayout.taskStateFileName(config.connectorName(), config.taskNumber());
        String stateKey = layout.stateKey(stateName);
        state = CatalogPublisher.openSideStore(store, stateKey, config.stateDir().resolve(config.backupId())
                .resolve(stateName));
        job = StateStore.JobStatus.running(config.backupId(), config.connectorName(), config.taskNumber());
        state.jobStarted(job, clock.millis());

        budget = new MemoryBudget(config.bufferMemoryBytes());
        // before the pipeline, whose completed segments it counts
        metrics = new BackupSinkMetrics(pluginMetrics(), "kbackup-sink:" + config.connectorName() + ":"
                + config.taskNumber() + ":", budget::held, budget::highWater, writers::openSegments,
                () -> store.breaker().state().ordinal());
        ExecutorService segmentThread = pipelineThread != null ? pipelineThread
                : SegmentPipeline.ownThread("kbackup-segments-" + taskName);
        pipeline = new SegmentPipeline(store, catalog, config.codec(), config.compressionLevel(), config.blockBytes(),
                config.encryptionKeys(), budget, events, segmentThread);
        rewinds = new Rewinds(writers, pipeline, context, () -> metrics.recordRewind());
        memoryPressure = new MemoryPressure(budget, writers, clock, BACKPRESSURE_WAIT_MS, this::storageFailed,
                pipeline::dropSpareBuffers, store.describe(), config.blockBytes());
        publisher = new CatalogPublisher(catalog, store, state, job, SourceClusterLookup.of(config), stateKey,
                config.stateSyncInterval(), clock, "kbackup-sync-" + taskName);
        metrics.stateSync(publisher::failuresTotal, publisher::millisSinceLastSuccess);
        config.retention().ifPresent(keep -> publisher.retain(new CatalogPublisher.Retention(keep,
                config.cleanupGrace(), writers::partitions)));
        config.compaction().ifPresent(settings -> publisher.compact(new CatalogPublisher.Compaction(settings,
                writers::partitions, budget, SegmentCompaction.mergeHeapBytes(settings,
                config.storage().uploadPartBytes()))));
        publisher.start();
        if (ClusterConfigKeys.isConfigured(config)) {
            logEnds = new LogEndOffsets(Admin.create(ClusterConfigKeys.adminProperties(config, "kbackup-lag-"
                    + taskName)), lag, config.checkpointInterval().toMillis());
        }
        snapshots = startSnapshots(taskName);
        resumer = new PartitionResumer(catalog, "kbackup-open-" + config.connectorName());
        checkpoints = new ProgressCheckpoints(state, job, config.checkpointInterval().toMillis(), clock.millis(),
                metrics::recordCheckpoint);
        log.info("Backup task {} of {} started: backup {} in {}, {} compression, segments up to {} bytes or {} ms, "
                        + "buffer budget {} bytes", config.taskNumber(), config.connectorName(), config.backupId(),
                store.describe(), config.codec().configName(), config.segmentMaxBytes(),
                config.segmentMaxInterval().toMillis(), config.bufferMemoryBytes());
    }

    /** Task 0 alone snapshots the cluster: one snapshot per interval, whatever the task count. */
    private SnapshotTaker startSnapshots(String taskName) {
        long interval = config.snapshotInterval().toMillis();
        if (!SnapshotTaker.isTakenBy(config.taskNumber(), interval)) {
            return null;
        }
        Admin admin = Admin.create(ClusterConfigKeys.adminProperties(config, "kbackup-snapshot-" + taskName));
        SnapshotScope scope = new SnapshotScope(config.topics(), config.topicsRegex(), config.snapshotGroupsInclude(),
                config.snapshotGroupsExclude());
        SnapshotTaker taker = new SnapshotTaker(new SnapshotCollector(admin, scope, config.snapshotAcls(),
                config.backupId(), clock), new ClusterSnapshots(store, layout), admin);
        metrics.snapshots(taker::takenTotal, taker::failuresTotal);
        taker.start(interval, "kbackup-snapshots-" + taskName);
        log.info("Task 0 of {} snapshots consumer group offsets and topic configs every {} ms into {}",
                config.connectorName(), interval, layout.snapshotsPrefix());
        return taker;
    }

    /**
     * Resumes each partition after the last offset stored in its segments. A partition whose state cannot be read
     * now (storage down) waits in {@link #put} until it can: failing here would fail the task.
     */
    @Override
    public void open(Collection<TopicPartition> partitions) {
        for (TopicPartition partition : partitions) {
            if (topicFilter.skips(partition.topic())) {
                log.info("Not backing up internal topic partition {}: list {} explicitly in 'topics' to back it up",
                        partition, partition.topic());
            } else {
                resumer.assigned(partition);
            }
        }
        Map<TopicPartition, Long> seekTo = new HashMap<>();
        try {
            seekTo.putAll(openWriters());
        } catch (StorageException e) {
            log.warn("Could not read the backup state of {} partitions from {}; they wait until storage answers: {}",
                    resumer.waiting().size(), store.describe(), e.toString());
        }
        context.offset(seekTo);
        log.info("Opened {} partitions; resuming at {}", seekTo.size(), seekTo);
    }

    /** Gives every partition whose state could be read a writer; returns where each resumes. */
    private Map<TopicPartition, Long> openWriters() {
        Map<TopicPartition, Long> seekTo = new HashMap<>();
        resumer.resumeWaiting().forEach((partition, durable) -> {
            PartitionWriter writer = newWriter(partition, durable);
            // A new ownership is a new epoch: segments an earlier owner in this task left queued cannot complete.
            pipeline.reset(partition);
            writers.put(partition, writer);
            lag.forget(partition);
            metrics.partitionOpened(partition, () -> lag.lag(partition, writer.durableOffset()));
            checkpoints.progressed(partition);
            seekTo.put(partition, writer.resumeOffset());
        });
        return seekTo;
    }

    private PartitionWriter newWriter(TopicPartition partition, long durable) {
        long local = state.lastDurableOffset(partition);
        if (local > durable) {
            log.warn("Side-store says {} is durable up to offset {} but storage holds only up to {}; trusting "
                    + "storage and backing up again from offset {}", partition, local, durable, durable + 1);
        }
        return new PartitionWriter(partition, durable, pipeline, layout, config.codec(), config.blockBytes(),
                config.segmentMaxBytes(), config.segmentMaxInterval().toMillis(), budget);
    }

    @Override
    public void put(Collection<SinkRecord> records) {
        long now = clock.millis();
        drainEvents();
        publisher.failIfPersistentlyFailing();
        if (resumer.hasWaiting()) {
            openWaitingPartitions();
            return;
        }
        if (rewinds.pending()) {
            rewinds.rewind();
            return;
        }
        refuseWhileStorageFails();
        long accepted = 0;
        long acceptedBytes = 0;
        for (SinkRecord record : records) {
            TopicPartition partition = new TopicPartition(record.originalTopic(), record.originalKafkaPartition());
            PartitionWriter writer = writers.get(partition);
            if (writer == null) {
                continue;
            }
            lag.delivered(partition, record.originalKafkaOffset());
            try {
                writer.checkFirstAfterSeek(record.originalKafkaOffset());
            } catch (IllegalStateException e) {
                throw new ConnectException(e.getMessage());
            }
            if (record.originalKafkaOffset() < writer.resumeOffset()) {
                continue;
            }
            BackupRecord backupRecord = SinkRecordConverter.toBackupRecord(record);
            if (writer.accept(backupRecord, now)) {
                accepted++;
                acceptedBytes += backupRecord.payloadBytes();
            }
            if (budget.exceeded() && !relieveMemoryPressure()) {
                metrics.recordAccepted(accepted, acceptedBytes);
                rewinds.rewind();
                return;
            }
        }
        metrics.recordAccepted(accepted, acceptedBytes);
        writers.rollAged(now);
        checkpoints.checkpointIfDue(now, writers);
        if (logEnds != null) {
            logEnds.refresh(writers.partitions(), now);
        }
        requestWakeup(now);
    }

    /** While the circuit breaker is open, asks Connect to deliver again once the next probe is due. */
    private void refuseWhileStorageFails() {
        CircuitBreaker breaker = store.breaker();
        if (breaker.state() == CircuitBreaker.State.OPEN && breaker.millisUntilProbe() > 0) {
            long wait = Math.min(breaker.millisUntilProbe(), config.storageRetryBackoff().toMillis());
            context.timeout(wait);
            throw new RetriableException("Storage " + store.describe() + " is failing (last failure: "
                    + breaker.lastFailure() + "); not accepting records for " + wait
                    + " ms. Nothing acknowledged to Kafka is lost: the records will be delivered again.");
        }
    }

    /** False if a storage failure surfaced (the caller rewinds); asks Connect to redeliver if uploads stay behind. */
    private boolean relieveMemoryPressure() {
        try {
            return memoryPressure.relieve();
        } catch (RetriableException e) {
            context.timeout(config.storageRetryBackoff().toMillis());
            throw e;
        }
    }

    /** Asks each writer: one past the last offset inside a complete segment (see {@link PartitionWriters}). */
    @Override
    public Map<TopicPartition, OffsetAndMetadata> preCommit(Map<TopicPartition, OffsetAndMetadata> currentOffsets) {
        return writers.committable(currentOffsets);
    }

    /** Finishes the partitions' open segments and waits for them, so their next owner starts after them. */
    @Override
    public void close(Collection<TopicPartition> partitions) {
        for (TopicPartition partition : partitions) {
            PartitionWriter writer = writers.get(partition);
            if (writer != null) {
                writer.roll();
            }
        }
        pipeline.finishQueued(CLOSE_TIMEOUT_MS);
        drainEvents();
        checkpoints.checkpoint(clock.millis(), writers);
        resumer.revoked(partitions);
        for (TopicPartition partition : partitions) {
            PartitionWriter writer = writers.remove(partition);
            if (writer != null) {
                writer.discard();
            }
            lag.forget(partition);
            metrics.partitionClosed(partition);
        }
    }

    @Override
    public void stop() {
        try {
            if (pipeline != null) {
                writers.rollAll();
                pipeline.finishQueued(CLOSE_TIMEOUT_MS);
                drainEvents();
                checkpoints.checkpoint(clock.millis(), writers);
                state.jobStatus(job.stopped(), clock.millis());
            }
        } finally {
            closeQuietly(snapshots);
            closeQuietly(publisher);
            closeQuietly(logEnds);
            closeQuietly(pipeline);
            closeQuietly(resumer);
            closeQuietly(state);
            closeQuietly(store);
            log.info("Backup task {} of {} stopped after backing up {} records (compression ratio {})",
                    config == null ? -1 : config.taskNumber(), config == null ? "?" : config.connectorName(),
                    metrics == null ? 0 : metrics.recordsTotal(),
                    metrics == null ? 0 : String.format("%.2f", metrics.compressionRatio()));
        }
    }

    /**
     * Opens partitions whose state could not be read when they were assigned, then seeks every partition to its
     * resume point (the records in hand are dropped and come again); while storage still fails, asks Connect to
     * deliver again later.
     */
    private void openWaitingPartitions() {
        try {
            openWriters();
        } catch (StorageException | RetriableException e) {
            context.timeout(config.storageRetryBackoff().toMillis());
            throw new RetriableException("Waiting for storage " + store.describe() + " to read where "
                    + resumer.waiting() + " should resume: " + e.getMessage(), e);
        }
        rewinds.rewind();
    }

    /** Takes in what the pipeline reported; true if a storage failure means a rewind is due. */
    private boolean storageFailed() {
        drainEvents();
        return rewinds.pending();
    }

    private void drainEvents() {
        events.drainTo(this::handle);
    }

    private void handle(PipelineEvent event) {
        switch (event.kind()) {
            case COMPLETED -> {
                checkpoints.segmentStored(event.partition(), event.segment());
                if (!firstSegmentSeen) {
                    firstSegmentSeen = true;
                    publisher.nudge();
                }
            }
            case SUPERSEDED -> {
                checkpoints.segmentStored(event.partition(), event.segment());
                rewinds.restart(event.partition());
            }
            case FAILED -> {
                log.warn("Could not store segment {} of {}; its records will be read from Kafka again: {}",
                        event.key(), event.partition(), event.cause().toString());
                rewinds.restart(event.partition());
            }
        }
    }

    /** Makes Connect call put() again in time to roll aged segments and checkpoint, even with no new records. */
    private void requestWakeup(long now) {
        long wait = checkpoints.millisUntilNext(now);
        long untilRoll = writers.millisUntilFirstRoll(now);
        if (untilRoll >= 0) {
            wait = Math.min(wait, untilRoll);
        }
        context.timeout(Math.max(1, wait));
    }

    private PluginMetrics pluginMetrics() {
        try {
            return context.pluginMetrics();
        } catch (RuntimeException | LinkageError e) {
            log.debug("Plugin metrics are not available", e);
            return null;
        }
    }

    private static void closeQuietly(AutoCloseable closeable) {
        if (closeable == null) {
            return;
        }
        try {
            closeable.close();
        } catch (Exception e) {
            log.warn("Error while closing {}", closeable.getClass().getSimpleName(), e);
        }
    }
}
