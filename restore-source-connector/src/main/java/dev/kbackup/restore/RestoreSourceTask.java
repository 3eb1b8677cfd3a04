package dev.kbackup.restore;

import dev.kbackup.config.ClusterConfig;
import dev.kbackup.format.TimeWindow;
import dev.kbackup.layout.BackupCatalog;
import dev.kbackup.layout.Json;
import dev.kbackup.storage.ObjectStore;
import dev.kbackup.storage.ObjectStores;
import dev.kbackup.storage.StorageException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.metrics.PluginMetrics;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.source.SourceTask;
import org.apache.kafka.connect.source.TransactionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Restores the backed-up partitions the connector assigned to it. {@code start} wires the collaborators (storage,
 * target topic check, resume offsets, read-ahead), {@code poll} hands out batches and {@code commitRecord} feeds
 * the offset translation logs; the work is done by {@link AssignedPartitions} and {@link PartitionRestorer}. When
 * everything is restored the task writes its summary and idles: each poll sleeps a second and returns nothing.
 */
public class RestoreSourceTask extends SourceTask {

    private static final Logger log = LoggerFactory.getLogger(RestoreSourceTask.class);
    private static final long IDLE_POLL_MS = 1_000;
    private static final long DRAIN_POLL_MS = 100;
    private static final long MAX_THROTTLE_SLEEP_MS = 1_000;
    private static final Duration PERSIST_INTERVAL = Duration.ofSeconds(10);
    /** A transaction also ends after this long, so a throttled restore of a big segment never times it out. */
    private static final long MAX_TRANSACTION_MS = 10_000;
    private static final int PREFETCH_THREADS = 2;

    private final CountDownLatch stopping = new CountDownLatch(1);
    private RestoreSourceTaskConfig config;
    private ObjectStore store;
    private SegmentPrefetcher prefetcher;
    private RestoreMetrics metrics;
    private AssignedPartitions restore;
    private TransactionContext transactions;
    private long transactionStartedMs;
    private boolean finalCommitRequested;
    private RuntimeException deferred;

    @Override
    public String version() {
        return RestoreSourceConnector.pluginVersion();
    }

    @Override
    public void start(Map<String, String> props) {
        config = new RestoreSourceTaskConfig(props);
        String backupId = config.backupId();
        TimeWindow window = config.window();
        TargetRouter router = config.router();
        store = ObjectStores.open(config.storage());
        try {
            BackupCatalog catalog = new BackupCatalog(store, config.layout());
            List<PartitionPlan> plans = RestorePlan.load(catalog, config.partitions(), router, window);
            // before touching any target: offsets written for another target or window stop the task here
            ResumePoints resume = ResumePoints.check(backupId, config.connectorName(), plans, window,
                    RestoreOffsets.read(context.offsetStorageReader(), backupId, config.partitions()));
            Map<TopicPartition, Long> targetEndOffsets = prepareTargets(plans.stream()
                    .filter(plan -> resume.resumeAfter(plan.source()) >= 0).map(PartitionPlan::target).toList(),
                    plans);
            metrics = new RestoreMetrics(pluginMetrics(),
                    "kbackup-restore:" + config.connectorName() + ":" + config.taskNumber() + ":");
            prefetcher = new SegmentPrefetcher(store, config.prefetchBytes(), PREFETCH_THREADS,
                    "kbackup-restore-" + config.connectorName() + "-" + config.taskNumber(), metrics);
            RestoreKeys keys = new RestoreKeys(config.layout(), config.connectorName());
            restore = new AssignedPartitions(backupId, config.connectorName(), config.taskNumber(),
                    new Throttle(config.maxBytesPerSecond(), System::nanoTime), config.batchMaxRecords(), metrics,
                    store, keys, window, Clock.systemUTC(), PERSIST_INTERVAL);
            for (PartitionPlan plan : plans) {
                long resumeAfter = resume.resumeAfter(plan.source());
                StoredTranslationLog stored = store.readIfExists(keys.offsetMapKey(plan.source()))
                        .map(bytes -> Json.read(bytes, StoredTranslationLog.class, keys.offsetMapKey(plan.source())))
                        .orElse(null);
                PartitionRestorer restorer = new PartitionRestorer(backupId, plan, prefetcher, resumeAfter, window,
                        config.corruptSegmentPolicy(), restore);
                OffsetTranslationLog offsets = OffsetTranslationLog.resume(backupId, plan.source(), plan.target(),
                        stored, resumeAfter);
                restore.add(new AssignedPartitions.Partition(restorer,
                        new SourceRecordConverter(backupId, plan.source(), plan.target(), window, config.originalHeaders()),
                        offsets, resumeAfter < 0 ? null
                                : new AssignedPartitions.EarlierRun(resumeAfter, offsets.earlierRunStoredAt())));
                log.debug("Restoring {} of backup {} into {}: {} segments, {}", plan.source(), backupId,
                        plan.target(), plan.segments().size(),
                        resumeAfter >= 0 ? "resuming after offset " + resumeAfter : "from the beginning");
            }
            log.info("Task {} restores {} partitions of backup {} ({} of them resuming), {} records in {} segments at "
                    + "most", config.taskNumber(), plans.size(), backupId,
                    plans.stream().filter(p -> resume.resumeAfter(p.source()) >= 0).count(),
                    restore.recordsRemaining(), plans.stream().mapToInt(p -> p.segments().size()).sum());
            restore.checkTargets(targetEndOffsets);
            metrics.gauges(restore::recordsRemaining, restore::bytesRemaining, () -> restore.isComplete() ? 1 : 0,
                    restore::partitionsAlreadyRestored);
            transactions = transactionContext();
            transactionStartedMs = System.currentTimeMillis();
        } catch (RuntimeException e) {
            closeQuietly();
            throw e instanceof ConnectException ? e : new ConnectException("Could not start the restore of backup "
                    + backupId + " from " + store.describe() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public List<SourceRecord> poll() throws InterruptedException {
        if (restore.isComplete()) {
            stopping.await(IDLE_POLL_MS, TimeUnit.MILLISECONDS);
            return null;
        }
        if (deferred != null) {
            throw deferred;
        }
        long waitNanos = restore.throttleWaitNanos();
        if (waitNanos > 0) {
            long sleepMs = Math.min(MAX_THROTTLE_SLEEP_MS, TimeUnit.NANOSECONDS.toMillis(waitNanos) + 1);
            long started = System.nanoTime();
            stopping.await(sleepMs, TimeUnit.MILLISECONDS);
            metrics.throttled(System.nanoTime() - started);
            if (restore.throttleWaitNanos() > 0) {
                return null;
            }
        }
        List<SourceRecord> batch = new ArrayList<>();
        try {
            restore.nextBatch(batch);
        } catch (UnreadableSegmentException e) {
            deferred = new ConnectException(e.getMessage(), e.getCause());
        } catch (StorageException e) {
            deferred = new ConnectException("Could not read backup " + config.backupId() + " from storage: "
                    + e.getMessage() + ". Restart the task once storage is reachable; it resumes where it stopped.",
                    e);
        } catch (RuntimeException e) {
            if (stopping.getCount() == 0) {
                return null;
            }
            throw e;
        }
        if (deferred != null && batch.isEmpty()) {
            throw deferred;
        }
        maybeEndTransaction();
        if (!batch.isEmpty()) {
            return batch;
        }
        if (restore.everythingRead()) {
            if (restore.everythingAcknowledged()) {
                try {
                    restore.complete();
                    prefetcher.close();
                } catch (RuntimeException e) {
                    log.warn("Could not write the summary of the restore of backup {} (retrying in {} ms): {}",
                            config.backupId(), IDLE_POLL_MS, e.getMessage());
                    stopping.await(IDLE_POLL_MS, TimeUnit.MILLISECONDS);
                }
                return null;
            }
            stopping.await(DRAIN_POLL_MS, TimeUnit.MILLISECONDS);
        }
        return null;
    }

    /** With connector-defined transactions: commit at segment ends, after a while, and after the last record. */
    private void maybeEndTransaction() {
        if (transactions == null) {
            return;
        }
        long now = System.currentTimeMillis();
        boolean boundary = restore.takeSegmentBoundary() || now - transactionStartedMs >= MAX_TRANSACTION_MS;
        boolean last = restore.everythingRead() && !finalCommitRequested;
        if (boundary || last) {
            // commits after the batch this poll returns (or at once if it returns nothing)
            transactions.commitTransaction();
            transactionStartedMs = now;
            finalCommitRequested |= last;
        }
    }

    @Override
    public void commitRecord(SourceRecord record, RecordMetadata metadata) {
        restore.acknowledged(record, metadata);
    }

    @Override
    public void commit() {
        if (stopping.getCount() == 0) {
            // stop() persisted the logs and closed the store
            return;
        }
        try {
            restore.persistOffsets(false);
        } catch (RuntimeException e) {
            log.warn("Could not persist the offset translation logs of backup {} (will retry): {}",
                    config.backupId(), e.getMessage());
        }
    }

    @Override
    public void stop() {
        stopping.countDown();
        if (restore != null) {
            try {
                restore.persistOffsets(true);
            } catch (RuntimeException e) {
                log.warn("Could not persist the offset translation logs of backup {} while stopping: {}",
                        config.backupId(), e.getMessage());
            }
        }
        closeQuietly();
    }

    /** Checks (and creates) the target topics; returns the end offsets of {@code resumedTargets}. */
    private Map<TopicPartition, Long> prepareTargets(List<TopicPartition> resumedTargets, List<PartitionPlan> plans) {
        String servers = config.clusterBootstrapServers().orElseThrow(() -> new ConnectException(
                ClusterConfig.BOOTSTRAP_SERVERS + " is not set: the restore needs it to check its target topics"));
        log.debug("Checking target topics on {}", servers);
        try (Admin admin = Admin.create(config.adminProperties(
                "kbackup-restore-" + config.connectorName() + "-" + config.taskNumber()))) {
            TargetTopics targets = new TargetTopics(admin, config.createTopics(),
                    config.createTopicsReplicationFactor());
            targets.prepare(plans, config.targetPartitionCounts(), config.window(), System.currentTimeMillis());
            return targets.endOffsets(resumedTargets);
        }
    }

    private PluginMetrics pluginMetrics() {
        try {
            return context.pluginMetrics();
        } catch (NoSuchMethodError | NoClassDefFoundError | UnsupportedOperationException e) {
            return null;
        }
    }

    private TransactionContext transactionContext() {
        try {
            return context.transactionContext();
        } catch (NoSuchMethodError | NoClassDefFoundError e) {
            return null;
        }
    }

    private void closeQuietly() {
        if (prefetcher != null) {
            prefetcher.close();
        }
        if (metrics != null) {
            metrics.close();
        }
        if (store != null) {
            try {
                store.close();
            } catch (RuntimeException e) {
                log.debug("Closing storage failed", e);
            }
        }
    }
}
