package dev.kbackup.sink;

import dev.kbackup.Version;
import dev.kbackup.config.ClusterConfig;
import dev.kbackup.format.BackupRecord;
import dev.kbackup.format.SegmentInfo;
import dev.kbackup.layout.BackupCatalog;
import dev.kbackup.layout.BackupLayout;
import dev.kbackup.layout.PartitionIndex;
import dev.kbackup.layout.SourceCluster;
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

import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/**
 * Routes records to one {@link PartitionWriter} per topic-partition and reports only durable offsets to Connect.
 *
 * <p>Exactly once: a segment's name follows from its first offset and it is created only if the name is free,
 * so a restarted or zombie task cannot store an offset twice; {@link #open} resumes each partition after the
 * last offset found in storage; {@link #preCommit} commits only offsets inside complete segments. When a
 * segment cannot be stored, every partition is sought back to the first offset it does not hold yet and the
 * batch in hand is dropped (it will come again); the task never throws a retriable error in that same call, so
 * Connect cannot redeliver a stale batch after the seek.
 */
public class BackupSinkTask extends SinkTask {

    private static final Logger log = LoggerFactory.getLogger(BackupSinkTask.class);
    private static final long CLOSE_TIMEOUT_MS = 60_000;
    private static final long BACKPRESSURE_WAIT_MS = 5_000;
    /** Closing segments early frees this share of the budget beyond the excess, so the next put does not close more. */
    private static final long RELIEF_MARGIN_DIVISOR = 16;
    /** Written with every committed offset, so that Connect cannot mistake a commit for one it skipped. */
    static final String COMMIT_METADATA = "kbackup: durable in storage";
    private static final Set<String> INTERNAL_TOPICS = Set.of("__consumer_offsets", "__transaction_state");

    private final Clock clock;
    private final UnaryOperator<ObjectStore> storeWrapper;
    /** The pipeline's executor, or null for its own thread. */
    private final ExecutorService pipelineThread;
    private final Map<TopicPartition, PartitionWriter> writers = new ConcurrentHashMap<>();
    private final Map<TopicPartition, Long> durableOffsets = new ConcurrentHashMap<>();
    private final BackupLag lag = new BackupLag();
    private final ConcurrentLinkedQueue<PipelineEvent> events = new ConcurrentLinkedQueue<>();
    private final List<SegmentInfo> completedSinceCheckpoint = new ArrayList<>();
    private final Set<TopicPartition> progressedSinceCheckpoint = new HashSet<>();
    /** Assigned partitions whose resume point is not known yet because storage could not be read. */
    private final Set<TopicPartition> unopened = new HashSet<>();

    private BackupSinkTaskConfig config;
    private GuardedObjectStore store;
    private BackupLayout layout;
    private BackupCatalog catalog;
    private MemoryBudget budget;
    private SegmentPipeline pipeline;
    private StateStore state;
    private CatalogPublisher sync;
    private StateStore.JobStatus job;
    private BackupSinkMetrics metrics;
    private ExecutorService recovery;
    /** Log end offsets for the backup lag, or null without {@code cluster.bootstrap.servers}. */
    private LogEndOffsets logEnds;
    private Set<String> explicitTopics;
    private volatile long encoderBytes;
    private volatile long heldBytesHighWater;
    private long nextCheckpoint;
    private boolean rewindPending;
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
        explicitTopics = config.topics();
        store = new GuardedObjectStore(storeWrapper.apply(ObjectStores.open(config.storage())),
                new CircuitBreaker(config.storageFailureThreshold(), config.storageRecoveryInterval()));
        catalog = new BackupCatalog(store, layout);

        String stateName = config.connectorName() + "-task-" + config.taskNumber() + ".db";
        Path stateFile = config.stateDir().resolve(config.backupId()).resolve(stateName);
        String stateKey = layout.stateKey(stateName);
        try {
            CatalogPublisher.restoreIfMissing(store, stateKey, stateFile);
        } catch (StorageException e) {
            log.warn("Could not fetch side-store {} from {}; starting with an empty one (storage stays the "
                    + "authority on what is backed up): {}", stateKey, store.describe(), e.toString());
        }
        state = StateStore.open(stateFile);
        job = new StateStore.JobStatus(config.backupId(), config.connectorName(), config.taskNumber(), "RUNNING",
                hostName());
        state.jobStarted(job, clock.millis());

        budget = new MemoryBudget(config.bufferMemoryBytes());
        String pipelineName = "kbackup-segments-" + config.connectorName() + "-" + config.taskNumber();
        pipeline = pipelineThread == null
                ? new SegmentPipeline(store, catalog, config.codec(), config.compressionLevel(), config.blockBytes(),
                        budget, new PipelineListener(), pipelineName)
                : new SegmentPipeline(store, catalog, config.codec(), config.compressionLevel(), config.blockBytes(),
                        budget, new PipelineListener(), pipelineThread);
        metrics = new BackupSinkMetrics(pluginMetrics(), "kbackup-sink:" + config.connectorName() + ":"
                + config.taskNumber() + ":", this::heldBytes,
                () -> heldBytesHighWater,
                () -> (int) writers.values().stream().filter(PartitionWriter::hasOpenSegment).count(),
                () -> store.breaker().state().ordinal());
        sync = new CatalogPublisher(catalog, store, state, job, sourceCluster(), stateKey, config.stateSyncInterval(),
                clock, "kbackup-sync-" + config.connectorName() + "-" + config.taskNumber());
        metrics.stateSync(sync::failuresTotal, sync::millisSinceLastSuccess);
        sync.start();
        if (ClusterConfig.isConfigured(config)) {
            logEnds = new LogEndOffsets(Admin.create(ClusterConfig.adminProperties(config, "kbackup-lag-"
                    + config.connectorName() + "-" + config.taskNumber())), lag,
                    config.checkpointInterval().toMillis());
        }
        recovery = Executors.newFixedThreadPool(8, runnable -> {
            Thread thread = new Thread(runnable, "kbackup-open-" + config.connectorName());
            thread.setDaemon(true);
            return thread;
        });
        nextCheckpoint = clock.millis() + config.checkpointInterval().toMillis();
        log.info("Backup task {} of {} started: backup {} in {}, {} compression, segments up to {} bytes or {} ms, "
                        + "buffer budget {} bytes", config.taskNumber(), config.connectorName(), config.backupId(),
                store.describe(), config.codec().configName(), config.segmentMaxBytes(),
                config.segmentMaxInterval().toMillis(), config.bufferMemoryBytes());
    }

    /**
     * Resumes each partition after the last offset stored in its segments (read from its index and a listing of
     * its segments after the last indexed one), whatever task or worker wrote them. A partition whose state cannot
     * be read now (storage down) waits in {@link #put} until it can: failing here would fail the task.
     */
    @Override
    public void open(Collection<TopicPartition> partitions) {
        Map<TopicPartition, Long> seekTo = new HashMap<>();
        for (TopicPartition partition : partitions) {
            if (isSkippedInternalTopic(partition.topic())) {
                log.info("Not backing up internal topic partition {}: list {} explicitly in 'topics' to back it up",
                        partition, partition.topic());
            } else {
                unopened.add(partition);
            }
        }
        try {
            seekTo.putAll(resumeUnopened());
        } catch (StorageException e) {
            log.warn("Could not read the backup state of {} partitions from {}; they wait until storage answers: {}",
                    unopened.size(), store.describe(), e.toString());
        }
        context.offset(seekTo);
        log.info("Opened {} partitions; resuming at {}", seekTo.size(), seekTo);
    }

    /** Reads the resume point of every partition not yet opened, in parallel; they are opened only if all succeed. */
    private Map<TopicPartition, Long> resumeUnopened() {
        Map<TopicPartition, Future<PartitionIndex>> recovered = new HashMap<>();
        for (TopicPartition partition : unopened) {
            recovered.put(partition, recovery.submit(() -> catalog.recover(partition.topic(),
                    partition.partition())));
        }
        Map<TopicPartition, PartitionIndex> indexes = new HashMap<>();
        for (Map.Entry<TopicPartition, Future<PartitionIndex>> entry : recovered.entrySet()) {
            indexes.put(entry.getKey(), await(entry.getValue(), entry.getKey()));
        }
        Map<TopicPartition, Long> seekTo = new HashMap<>();
        indexes.forEach((partition, index) -> {
            long durable = index.lastOffset();
            long local = state.lastDurableOffset(partition);
            if (local > durable) {
                log.warn("Side-store says {} is durable up to offset {} but storage holds only up to {}; trusting "
                        + "storage and backing up again from offset {}", partition, local, durable, durable + 1);
            }
            PartitionWriter writer = new PartitionWriter(partition, durable, pipeline, layout, config.codec(),
                    config.blockBytes(), config.segmentMaxBytes(), config.segmentMaxInterval().toMillis(),
                    delta -> encoderBytes += delta);
            // A new ownership is a new epoch: segments an earlier owner in this task left queued cannot complete.
            pipeline.reset(partition);
            writers.put(partition, writer);
            durableOffsets.put(partition, durable);
            lag.forget(partition);
            metrics.partitionOpened(partition, () -> lag.lag(partition, durableOffsets.getOrDefault(partition, -1L)));
            progressedSinceCheckpoint.add(partition);
            seekTo.put(partition, writer.resumeOffset());
        });
        unopened.clear();
        return seekTo;
    }

    @Override
    public void put(Collection<SinkRecord> records) {
        long now = clock.millis();
        drainEvents();
        failIfPublicationKeepsFailing();
        if (!unopened.isEmpty()) {
            openWaitingPartitions();
            return;
        }
        if (rewindPending) {
            rewind();
            return;
        }
        if (store.breaker().state() == CircuitBreaker.State.OPEN && store.breaker().millisUntilProbe() > 0) {
            long wait = Math.min(store.breaker().millisUntilProbe(), config.storageRetryBackoff().toMillis());
            context.timeout(wait);
            throw new RetriableException("Storage " + store.describe() + " is failing (last failure: "
                    + store.breaker().lastFailure() + "); not accepting records for " + wait
                    + " ms. Nothing acknowledged to Kafka is lost: the records will be delivered again.");
        }
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
            if (acceptOrDiscard(writer, backupRecord, now)) {
                accepted++;
                acceptedBytes += backupRecord.payloadBytes();
            }
            long held = heldBytes();
            if (held > heldBytesHighWater) {
                heldBytesHighWater = held;
            }
            if (held > budget.limit() && !relieveMemoryPressure()) {
                metrics.recordAccepted(accepted, acceptedBytes);
                rewind();
                return;
            }
        }
        metrics.recordAccepted(accepted, acceptedBytes);
        for (PartitionWriter writer : writers.values()) {
            writer.rollIfOlderThanMax(now);
        }
        maybeCheckpoint(now);
        if (logEnds != null) {
            logEnds.refresh(writers.keySet(), now);
        }
        requestWakeup(now);
    }

    /**
     * Hands a record to its writer. If that throws (an {@link Error} such as {@code OutOfMemoryError} included),
     * the writer's open block may be half-written: it is dropped with the open segment, so that the roll in
     * {@link #close} cannot store it, before the failure goes on to Connect.
     */
    private static boolean acceptOrDiscard(PartitionWriter writer, BackupRecord record, long now) {
        try {
            return writer.accept(record, now);
        } catch (RuntimeException | Error e) {
            writer.discard();
            throw e;
        }
    }

    /** Fails the task once publishing the catalog has failed for good ({@link CatalogPublisher#persistentFailure}). */
    private void failIfPublicationKeepsFailing() {
        Throwable cause = sync.persistentFailure();
        if (cause != null) {
            throw new ConnectException("Publishing backup " + config.backupId() + " to " + store.describe()
                    + " (partition indexes, manifest, side-store copy) failed " + sync.consecutiveFailures()
                    + " times in a row, last with: " + cause + ". Completed segments are stored, but a restore "
                    + "does not see the newest ones until they are published. Fix the cause and restart the task: "
                    + "the side-store keeps the unpublished segments and the next run publishes them.", cause);
        }
    }

    /**
     * One past the last offset inside a complete segment, per partition, never beyond what Connect has consumed.
     * The offsets carry {@link #COMMIT_METADATA}: a seek ({@link #open}, a rewind) makes Connect record the sought
     * offset as committed without committing it, and skip a commit "with no change"; an offset with metadata
     * differs from that record, so on an idle partition the durable position still reaches the group.
     */
    @Override
    public Map<TopicPartition, OffsetAndMetadata> preCommit(Map<TopicPartition, OffsetAndMetadata> currentOffsets) {
        Map<TopicPartition, OffsetAndMetadata> durable = new HashMap<>();
        currentOffsets.forEach((partition, consumed) -> {
            Long offset = durableOffsets.get(partition);
            if (offset != null && offset >= 0) {
                durable.put(partition, new OffsetAndMetadata(Math.min(offset + 1, consumed.offset()),
                        COMMIT_METADATA));
            }
        });
        return durable;
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
        awaitPipeline();
        drainEvents();
        checkpoint(clock.millis());
        unopened.removeAll(partitions);
        for (TopicPartition partition : partitions) {
            PartitionWriter writer = writers.remove(partition);
            if (writer != null) {
                writer.discard();
            }
            durableOffsets.remove(partition);
            lag.forget(partition);
            metrics.partitionClosed(partition);
        }
    }

    @Override
    public void stop() {
        try {
            if (pipeline != null) {
                for (PartitionWriter writer : writers.values()) {
                    writer.roll();
                }
                awaitPipeline();
                drainEvents();
                checkpoint(clock.millis());
                state.jobStatus(new StateStore.JobStatus(job.backupId(), job.connector(), job.task(), "STOPPED",
                        job.host()), clock.millis());
            }
        } finally {
            closeQuietly(sync);
            closeQuietly(logEnds);
            closeQuietly(pipeline);
            if (recovery != null) {
                recovery.shutdownNow();
            }
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
            resumeUnopened();
        } catch (StorageException | RetriableException e) {
            context.timeout(config.storageRetryBackoff().toMillis());
            throw new RetriableException("Waiting for storage " + store.describe() + " to read where " + unopened
                    + " should resume: " + e.getMessage(), e);
        }
        rewind();
    }

    /**
     * Brings held memory under the budget. While the pipeline has work queued, its progress frees memory, so the
     * task waits: closing segments then would only cut them small. Once the pipeline is idle, what is left sits in
     * open blocks and unsent upload parts that only completing their segments frees: the segments holding the most
     * are closed, enough to cover the excess and a margin. Returns false if a storage failure surfaced meanwhile
     * (the caller rewinds); throws a retriable error if uploads stay behind.
     */
    private boolean relieveMemoryPressure() {
        long deadline = clock.millis() + BACKPRESSURE_WAIT_MS;
        while (heldBytes() > budget.limit()) {
            long left = deadline - clock.millis();
            if (left <= 0) {
                drainEvents();
                if (rewindPending) {
                    return false;
                }
                context.timeout(config.storageRetryBackoff().toMillis());
                throw new RetriableException("Uploads to " + store.describe() + " are behind: " + heldBytes()
                        + " bytes held against a buffer.memory.bytes budget of " + budget.limit()
                        + "; records will be delivered again shortly");
            }
            // Queued blocks free their memory as the pipeline compresses and uploads them: wait for that first.
            try {
                if (budget.awaitPipelineAtMost(budget.limit() - encoderBytes, Math.min(left, 1000))) {
                    return true;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                deadline = 0;
                continue;
            }
            if (budget.pipelineBusy()) {
                continue;
            }
            drainEvents();
            if (rewindPending) {
                return false;
            }
            // What is left sits in open blocks and unsent parts, which only closing their segments frees.
            if (closeLargestSegments(heldBytes() - budget.limit() + budget.limit() / RELIEF_MARGIN_DIVISOR) == 0) {
                log.warn("{} bytes held against a buffer.memory.bytes budget of {} with no segment open to close",
                        heldBytes(), budget.limit());
                return true;
            }
        }
        return true;
    }

    /** Closes the open segments holding the most memory until they cover {@code bytes}; returns how many. */
    private int closeLargestSegments(long bytes) {
        List<PartitionWriter> open = new ArrayList<>();
        for (PartitionWriter writer : writers.values()) {
            if (writer.heldBytes() > 0) {
                open.add(writer);
            }
        }
        open.sort(Comparator.comparingLong(PartitionWriter::heldBytes).reversed());
        long covered = 0;
        int closed = 0;
        for (PartitionWriter writer : open) {
            if (covered >= bytes) {
                break;
            }
            covered += writer.heldBytes();
            writer.roll();
            closed++;
        }
        return closed;
    }

    private long heldBytes() {
        return encoderBytes + budget.pipelineBytes();
    }

    /** Seeks every partition to the first offset it does not hold; the records of the current batch come again. */
    private void rewind() {
        Map<TopicPartition, Long> seekTo = new HashMap<>();
        writers.forEach((partition, writer) -> {
            writer.sought();
            seekTo.put(partition, writer.resumeOffset());
        });
        context.offset(seekTo);
        rewindPending = false;
        metrics.recordRewind();
        log.info("Reading partitions again from {} after a storage problem", seekTo);
    }

    private void drainEvents() {
        PipelineEvent event;
        while ((event = events.poll()) != null) {
            PartitionWriter writer = writers.get(event.partition());
            switch (event.kind()) {
                case COMPLETED -> {
                    completedSinceCheckpoint.add(event.segment());
                    progressedSinceCheckpoint.add(event.partition());
                    metrics.recordSegment(event.segment().sizeBytes(), event.segment().uncompressedBytes(),
                            event.uploadNanos());
                    if (writer != null) {
                        writer.markDurable(event.segment().lastOffset());
                    }
                    if (!firstSegmentSeen) {
                        firstSegmentSeen = true;
                        sync.nudge();
                    }
                }
                case SUPERSEDED -> {
                    completedSinceCheckpoint.add(event.segment());
                    progressedSinceCheckpoint.add(event.partition());
                    restart(writer, event);
                }
                case FAILED -> {
                    log.warn("Could not store segment {} of {}; its records will be read from Kafka again: {}",
                            event.key(), event.partition(), event.cause().toString());
                    restart(writer, event);
                }
            }
        }
    }

    /** Drops what the partition holds beyond its durable offset and lets its new segments through again. */
    private void restart(PartitionWriter writer, PipelineEvent event) {
        if (writer == null) {
            return;
        }
        if (event.segment() != null) {
            writer.markDurable(event.segment().lastOffset());
        }
        writer.discard();
        pipeline.reset(event.partition());
        rewindPending = true;
    }

    private void maybeCheckpoint(long now) {
        if (now >= nextCheckpoint) {
            checkpoint(now);
        }
    }

    private void checkpoint(long now) {
        List<StateStore.PartitionProgress> progress = new ArrayList<>();
        Map<TopicPartition, String> lastKeys = new HashMap<>();
        Map<TopicPartition, Long> records = new HashMap<>();
        for (SegmentInfo segment : completedSinceCheckpoint) {
            TopicPartition partition = new TopicPartition(segment.topic(), segment.partition());
            lastKeys.merge(partition, segment.key(), (a, b) -> a.compareTo(b) >= 0 ? a : b);
            records.merge(partition, segment.recordCount(), Long::sum);
        }
        for (TopicPartition partition : progressedSinceCheckpoint) {
            PartitionWriter writer = writers.get(partition);
            if (writer != null) {
                progress.add(new StateStore.PartitionProgress(partition, writer.durableOffset(),
                        lastKeys.get(partition), records.getOrDefault(partition, 0L)));
            }
        }
        long start = System.nanoTime();
        try {
            state.checkpoint(job, progress, completedSinceCheckpoint, now);
            metrics.recordCheckpoint(System.nanoTime() - start);
            completedSinceCheckpoint.clear();
            progressedSinceCheckpoint.clear();
        } catch (RuntimeException e) {
            log.warn("Checkpoint to the side-store failed; storage still holds every completed segment and the "
                    + "next checkpoint retries: {}", e.toString());
        }
        nextCheckpoint = now + config.checkpointInterval().toMillis();
    }

    /** Makes Connect call put() again in time to roll aged segments and checkpoint, even with no new records. */
    private void requestWakeup(long now) {
        long wait = nextCheckpoint - now;
        for (PartitionWriter writer : writers.values()) {
            long untilRoll = writer.millisUntilRoll(now);
            if (untilRoll >= 0) {
                wait = Math.min(wait, untilRoll);
            }
        }
        context.timeout(Math.max(1, wait));
    }

    private void awaitPipeline() {
        try {
            if (!pipeline.awaitQueued(CLOSE_TIMEOUT_MS)) {
                log.warn("Segment uploads did not finish within {} ms; unfinished segments will be written again "
                        + "by the partition's next owner", CLOSE_TIMEOUT_MS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private boolean isSkippedInternalTopic(String topic) {
        return INTERNAL_TOPICS.contains(topic) && !explicitTopics.contains(topic);
    }

    private SourceCluster sourceCluster() {
        if (!ClusterConfig.isConfigured(config)) {
            return SourceCluster.UNKNOWN;
        }
        String servers = config.getString(ClusterConfig.BOOTSTRAP_SERVERS);
        try (Admin admin = Admin.create(ClusterConfig.adminProperties(config, "kbackup-" + config.connectorName()))) {
            return new SourceCluster(admin.describeCluster().clusterId().get(30, TimeUnit.SECONDS), servers);
        } catch (Exception e) {
            log.warn("Could not learn the cluster id from {}; the manifest will record only the bootstrap "
                    + "servers: {}", servers, e.toString());
            return new SourceCluster(null, servers);
        }
    }

    private PluginMetrics pluginMetrics() {
        try {
            return context.pluginMetrics();
        } catch (RuntimeException | LinkageError e) {
            log.debug("Plugin metrics are not available", e);
            return null;
        }
    }

    private static PartitionIndex await(Future<PartitionIndex> future, TopicPartition partition) {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ConnectException("Interrupted while resuming " + partition, e);
        } catch (java.util.concurrent.ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof StorageException storage && storage.isRetriable()) {
                throw storage;
            }
            throw new ConnectException("Could not read the backup state of " + partition + ": " + cause.getMessage(),
                    cause);
        }
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            return "unknown";
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

    /** Runs on the pipeline thread: records durable offsets at once, leaves the rest to the task thread. */
    private final class PipelineListener implements SegmentPipeline.Listener {
        @Override
        public void completed(TopicPartition partition, SegmentInfo segment, long uploadNanos) {
            durableOffsets.merge(partition, segment.lastOffset(), Math::max);
            events.add(PipelineEvent.completed(partition, segment, uploadNanos));
        }

        @Override
        public void superseded(TopicPartition partition, String key, SegmentInfo existing) {
            durableOffsets.merge(partition, existing.lastOffset(), Math::max);
            events.add(PipelineEvent.superseded(partition, key, existing));
        }

        @Override
        public void failed(TopicPartition partition, String key, Throwable cause) {
            events.add(PipelineEvent.failed(partition, key, cause));
        }
    }
}
