package dev.kbackup.restore;

import dev.kbackup.config.ClusterConfigKeys;
import dev.kbackup.format.TimeWindow;
import dev.kbackup.layout.BackupCatalog;
import dev.kbackup.layout.ClusterSnapshot;
import dev.kbackup.layout.ClusterSnapshots;
import dev.kbackup.layout.RestoreKeys;
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
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Restores the backed-up partitions the connector assigned to it. {@code start} wires the collaborators (storage,
 * target topic check, resume offsets, read-ahead), {@code poll} hands out batches and {@code commitRecord} feeds
 * the offset translation logs; the work is done by {@link AssignedPartitions} and {@link PartitionRestorer}. When
 * everything is restored the task writes its summary and idles: each poll sleeps a second and returns nothing. In
 * follow mode ({@link BackupFollower}) it never completes: it appends the segments the backup publishes later and
 * restores them, and reports its lag through metrics instead of a summary.
 */
public class RestoreSourceTask extends SourceTask {

    private static final Logger log = LoggerFactory.getLogger(RestoreSourceTask.class);
    private static final long IDLE_POLL_MS = 1_000;
    private static final long DRAIN_POLL_MS = 100;
    private static final Duration PERSIST_INTERVAL = Duration.ofSeconds(10);
    private static final int PREFETCH_THREADS = 2;
    private static final long CLUSTER_ID_TIMEOUT_MS = 60_000;

    private final CountDownLatch stopping = new CountDownLatch(1);
    private RestoreSourceTaskConfig config;
    private ObjectStore store;
    private BackupCatalog catalog;
    private SegmentPrefetcher prefetcher;
    private RestoreMetrics metrics;
    /** Set at the end of a successful start; Connect may call {@link #commit} before that. */
    private volatile AssignedPartitions restore;
    private ThrottlePause throttlePause;
    private TransactionBoundaries transactions;
    private DeferredReadFailure readFailure;
    /** The backup's cluster snapshot at or before the window end, when the restore uses one and one exists. */
    private Optional<ClusterSnapshots.Found> snapshot = Optional.empty();
    private List<PartitionPlan> plans = List.of();
    private RestoreObjects objects;
    /** True once the consumer groups were moved (or there were none to move). */
    private boolean groupsMoved;
    /** Set in follow mode only. */
    private BackupFollower follower;

    @Override
    public String version() {
        return RestoreSourceConnector.pluginVersion();
    }

    @Override
    public void start(Map<String, String> props) {
        config = new RestoreSourceTaskConfig(props);
        String backupId = config.backupId();
        TimeWindow window = config.window();
        store = ObjectStores.open(config.storage());
        try {
            catalog = new BackupCatalog(store, config.layout());
            plans = RestorePlan.load(catalog, config.partitions(), config.router(), window);
            snapshot = needsSnapshot() ? new ClusterSnapshots(store, config.layout()).atOrBefore(window.end())
                    : Optional.empty();
            // before touching any target: offsets written for another target or window stop the task here
            ResumePoints resume = ResumePoints.check(backupId, config.connectorName(), plans, window,
                    RestoreOffsets.read(context.offsetStorageReader(), backupId, config.partitions()));
            Map<TopicPartition, Long> targetEndOffsets = prepareTargets(plans.stream()
                    .filter(plan -> resume.resumeAfter(plan.source()) >= 0).map(PartitionPlan::target).toList(),
                    plans);
            metrics = new RestoreMetrics(pluginMetrics(),
                    "kbackup-restore:" + config.connectorName() + ":" + config.taskNumber() + ":");
            prefetcher = new SegmentPrefetcher(store, config.prefetchBytes(), PREFETCH_THREADS,
                    "kbackup-restore-" + config.connectorName() + "-" + config.taskNumber(), metrics,
                    config.encryptionKeys());
            RestorePolicy policy = new RestorePolicy(window, config.corruptSegmentPolicy(), config.batchMaxRecords(),
                    new Throttle(config.maxBytesPerSecond(), System::nanoTime), config.inFlightBytes());
            objects = new RestoreObjects(store,
                    new RestoreKeys(config.layout(), config.connectorName()));
            restore = new AssignedPartitions(new RestoreTaskId(backupId, config.connectorName(), config.taskNumber()),
                    policy, metrics, objects, Clock.systemUTC(), PERSIST_INTERVAL);
            if (config.mode() == RestoreMode.FOLLOW) {
                follower = new BackupFollower(backupId, config.followPollIntervalMs(), System::currentTimeMillis);
                restore.following();
            }
            for (PartitionPlan plan : plans) {
                AssignedPartitions.Partition partition = openPartition(plan, resume.resumeAfter(plan.source()),
                        policy, objects);
                restore.add(partition);
                if (follower != null) {
                    follower.add(new PartitionFollower(backupId, catalog, plan, window,
                            resume.resumeAfter(plan.source())), partition.restorer());
                }
            }
            log.info("Task {} restores {} partitions of backup {} ({} of them resuming), {} records in {} segments at "
                    + "most", config.taskNumber(), plans.size(), backupId,
                    plans.stream().filter(p -> resume.resumeAfter(p.source()) >= 0).count(),
                    restore.recordsRemaining(), plans.stream().mapToInt(p -> p.segments().size()).sum());
            restore.checkTargets(targetEndOffsets);
            metrics.gauges(restore::recordsRemaining, restore::bytesRemaining, () -> restore.isComplete() ? 1 : 0,
                    restore::partitionsAlreadyRestored);
            // registered in every mode (0 unless following) so that dashboards and scrapes always find them
            metrics.followGauges(follower == null ? () -> 0 : follower::lagRecords,
                    follower == null ? () -> 0 : follower::lagMs);
            if (follower != null) {
                log.info("Task {} follows backup {}: it looks for newly published segments every {} ms and never "
                        + "completes (no summary); see the follow-lag-records and follow-lag-ms metrics",
                        config.taskNumber(), backupId, config.followPollIntervalMs());
            }
            throttlePause = new ThrottlePause(policy.throttle(), stopping, metrics);
            transactions = new TransactionBoundaries(transactionContext(), System::currentTimeMillis);
            readFailure = new DeferredReadFailure(backupId);
        } catch (RuntimeException e) {
            closeQuietly();
            throw e instanceof ConnectException ? e : new ConnectException("Could not start the restore of backup "
                    + backupId + " from " + store.describe() + ": " + e.getMessage(), e);
        }
    }

    /** One partition's restorer, converter and offset translation log, resuming after {@code resumeAfter}. */
    private AssignedPartitions.Partition openPartition(PartitionPlan plan, long resumeAfter, RestorePolicy policy,
                                                       RestoreObjects objects) {
        String backupId = config.backupId();
        PartitionRestorer restorer = new PartitionRestorer(backupId, plan, prefetcher, resumeAfter, policy.window(),
                policy.corruptSegments(), restore, segment -> catalog.retention(plan.source().topic(),
                        plan.source().partition()).filter(mark -> mark.expires(segment.maxTimestamp())));
        OffsetTranslationLog offsets = objects.resumeLog(backupId, plan, resumeAfter);
        log.debug("Restoring {} of backup {} into {}: {} segments, {}", plan.source(), backupId, plan.target(),
                plan.segments().size(),
                resumeAfter >= 0 ? "resuming after offset " + resumeAfter : "from the beginning");
        return new AssignedPartitions.Partition(restorer,
                new SourceRecordConverter(backupId, plan.source(), plan.target(), policy.window(),
                        config.originalHeaders()),
                offsets, resumeAfter < 0 ? null : new AssignedPartitions.EarlierRun(resumeAfter,
                        offsets.earlierRunStoredAt()));
    }

    @Override
    public List<SourceRecord> poll() throws InterruptedException {
        if (restore.isComplete()) {
            if (!groupsMoved) {
                moveConsumerGroups();
            }
            stopping.await(IDLE_POLL_MS, TimeUnit.MILLISECONDS);
            return null;
        }
        readFailure.throwIfAny();
        if (follower != null) {
            follower.pollIfDue();
        }
        if (!throttlePause.await() || !restore.awaitProducer(DRAIN_POLL_MS)) {
            return null;
        }
        List<SourceRecord> batch = new ArrayList<>();
        try {
            restore.nextBatch(batch);
        } catch (UnreadableSegmentException e) {
            readFailure.defer(e);
        } catch (StorageException e) {
            readFailure.defer(e);
        } catch (RuntimeException e) {
            if (stopping.getCount() == 0) {
                return null;
            }
            throw e;
        }
        if (batch.isEmpty()) {
            readFailure.throwIfAny();
        }
        transactions.afterBatch(restore.takeSegmentBoundary(), restore.everythingRead());
        if (!batch.isEmpty()) {
            return batch;
        }
        if (restore.everythingRead()) {
            if (follower != null) {
                // caught up with what the catalog listed: wait for the next look at it
                stopping.await(Math.min(IDLE_POLL_MS, Math.max(1, follower.untilNextPollMs())),
                        TimeUnit.MILLISECONDS);
            } else {
                completeOnceAcknowledged();
            }
        }
        return null;
    }

    /** Writes the summary once Connect acknowledged every record handed out; until then waits a little. */
    private void completeOnceAcknowledged() throws InterruptedException {
        if (!restore.everythingAcknowledged()) {
            stopping.await(DRAIN_POLL_MS, TimeUnit.MILLISECONDS);
            return;
        }
        try {
            restore.complete();
            prefetcher.close();
            moveConsumerGroups();
        } catch (RuntimeException e) {
            log.warn("Could not write the summary of the restore of backup {} (retrying in {} ms): {}",
                    config.backupId(), IDLE_POLL_MS, e.getMessage());
            stopping.await(IDLE_POLL_MS, TimeUnit.MILLISECONDS);
        }
    }

    @Override
    public void commitRecord(SourceRecord record, RecordMetadata metadata) {
        restore.acknowledged(record, metadata);
        if (follower != null) {
            follower.restored(RestoreOffsets.topicPartition(record.sourcePartition()),
                    RestoreOffsets.offset(record.sourceOffset()), record.timestamp() == null ? Long.MIN_VALUE
                            : record.timestamp());
        }
    }

    @Override
    public void commit() {
        AssignedPartitions started = restore;
        if (stopping.getCount() == 0 || started == null) {
            // stop() persisted the logs and closed the store, or start() is still planning: nothing restored yet
            return;
        }
        try {
            started.persistOffsets(false);
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
                ClusterConfigKeys.BOOTSTRAP_SERVERS + " is not set: the restore needs it to check its target topics"));
        log.debug("Checking target topics on {}", servers);
        try (Admin admin = Admin.create(config.adminProperties(
                "kbackup-restore-" + config.connectorName() + "-" + config.taskNumber()))) {
            // validate() checked already, but the cluster may not have answered it, or the catalog changed since
            TargetTopicGuard.of(config).enforce(plans, config.backupClusterId(),
                    () -> TargetTopicGuard.clusterId(admin, CLUSTER_ID_TIMEOUT_MS));
            TargetTopics targets = new TargetTopics(admin, config.createTopics(),
                    config.createTopicsReplicationFactor(), backedUpTopicsByTarget(plans),
                    snapshot.map(ClusterSnapshots.Found::key).orElse(null));
            targets.prepare(plans, config.targetPartitionCounts(), config.window(), System.currentTimeMillis());
            return targets.endOffsets(resumedTargets);
        }
    }

    /**
     * After this task's partitions are restored, moves the selected consumer groups' offsets on them; a failure to
     * reach storage or the cluster is retried on the next poll.
     */
    private void moveConsumerGroups() {
        Optional<Pattern> groups = config.consumerGroups();
        if (groups.isEmpty() || groupsMoved) {
            groupsMoved = true;
            return;
        }
        if (snapshot.isEmpty()) {
            log.warn("Not moving consumer groups: backup {} has no cluster snapshot at or before the window end {}",
                    config.backupId(), config.window());
            groupsMoved = true;
            return;
        }
        try (Admin admin = Admin.create(config.adminProperties(
                "kbackup-restore-groups-" + config.connectorName() + "-" + config.taskNumber()))) {
            new ConsumerGroupMover(admin, objects, new RestoreTaskId(config.backupId(), config.connectorName(),
                    config.taskNumber())).move(snapshot.get(), groups.get(), config.consumerGroupsMode(), plans,
                    Clock.systemUTC().instant());
            groupsMoved = true;
        } catch (RuntimeException e) {
            log.warn("Could not move the consumer groups of backup {} yet (retrying in {} ms): {}", config.backupId(),
                    IDLE_POLL_MS, e.toString());
        }
    }

    private boolean needsSnapshot() {
        return config.createTopics() || config.consumerGroups().isPresent();
    }

    /** Per target topic, the snapshot of the backed-up topic restored into it (the first, if several are). */
    private Map<String, ClusterSnapshot.TopicSnapshot> backedUpTopicsByTarget(List<PartitionPlan> plans) {
        Map<String, ClusterSnapshot.TopicSnapshot> byTarget = new TreeMap<>();
        if (snapshot.isEmpty()) {
            if (config.createTopics()) {
                log.warn("Backup {} has no cluster snapshot at or before the window end: target topics are created "
                        + "with the broker's default configs (snapshots need cluster.bootstrap.servers and "
                        + "snapshot.interval.ms > 0 on the backup connector)", config.backupId());
            }
            return byTarget;
        }
        ClusterSnapshot found = snapshot.get().snapshot();
        plans.stream().sorted(Comparator.comparing(plan -> plan.source().topic())).forEach(plan ->
                found.topic(plan.source().topic()).ifPresent(topic ->
                        byTarget.putIfAbsent(plan.target().topic(), topic)));
        return byTarget;
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
