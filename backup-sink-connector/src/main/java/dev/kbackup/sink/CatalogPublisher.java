package dev.kbackup.sink;

import dev.kbackup.format.SegmentInfo;
import dev.kbackup.layout.BackupCatalog;
import dev.kbackup.layout.CatalogFolder;
import dev.kbackup.layout.PartitionIndex;
import dev.kbackup.layout.SegmentCompaction;
import dev.kbackup.layout.SourceCluster;
import dev.kbackup.storage.ObjectStore;
import dev.kbackup.storage.StorageException;
import dev.kbackup.storage.WriteMode;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.errors.ConnectException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Publishes what the task has made durable, in the background: completed segments into their partitions'
 * catalogs (which it then folds), the manifest once, and a copy of the side-store into {@code state/}. Runs every
 * sync interval, soon after it is nudged, and once more on close; that last run only publishes (no fold, retention
 * or compaction), so that a task hands its partitions over quickly. A failed run (an {@link Error} included) is
 * logged, counted and retried at the next one; the segments stay pending in the side-store until published.
 * Runs that keep failing for another reason than a storage outage (which the task's circuit breaker already
 * handles) are a {@link #persistentFailure}, which fails the task.
 */
final class CatalogPublisher implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(CatalogPublisher.class);
    private static final int PUBLISH_THREADS = 4;
    /** Consecutive failed runs, not caused by a storage outage, after which the task fails. */
    static final int FAILURES_BEFORE_TASK_FAILS = 3;
    /**
     * Partitions retention, and compaction, each look at per run (each look two listings): with many partitions
     * the looks take turns over several runs instead of listing every partition at once (after every assignment,
     * for instance), so their requests per run are bounded whatever the partition count.
     */
    static final int LOOKS_PER_RUN = 64;

    private final BackupCatalog catalog;
    private final ObjectStore store;
    private final StateStore state;
    private final StateStore.JobStatus job;
    private final SourceCluster source;
    private final String stateKey;
    private final Duration interval;
    private final Clock clock;
    private final ScheduledExecutorService scheduler;
    private final ExecutorService publishers;
    private volatile boolean manifestWritten;
    private final AtomicLong failuresTotal = new AtomicLong();
    private final AtomicInteger consecutiveFailures = new AtomicInteger();
    private volatile Throwable lastFailure;
    private volatile long lastSuccessMillis;
    private volatile Retention retention;
    /** How soon a partition where retention or compaction had nothing to do is looked at again, at most. */
    private static final Duration RECHECK_INTERVAL = Duration.ofMinutes(1);
    private final PartitionTurns retentionTurns = new PartitionTurns(LOOKS_PER_RUN);
    private volatile Compaction compaction;
    private volatile SegmentCompaction compactor;
    private final PartitionTurns compactionTurns = new PartitionTurns(LOOKS_PER_RUN);
    /**
     * Per partition, the pieces its catalog held after this publisher's last fold plus those it published since:
     * no fold is due, and no listing needed, while that is below the fanout. Pieces other writers publish meanwhile
     * only delay a fold (a partition then holds fewer than twice the fanout); absent means not known yet.
     */
    private final Map<TopicPartition, Integer> piecesSinceFold = new HashMap<>();

    CatalogPublisher(BackupCatalog catalog, ObjectStore store, StateStore state, StateStore.JobStatus job,
              SourceCluster source, String stateKey, Duration interval, Clock clock, String threadName) {
        this.catalog = catalog;
        this.store = store;
        this.state = state;
        this.job = job;
        this.source = source;
        this.stateKey = stateKey;
        this.interval = interval;
        this.clock = clock;
        this.lastSuccessMillis = clock.millis();
        this.scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> daemon(runnable, threadName));
        this.publishers = Executors.newFixedThreadPool(PUBLISH_THREADS,
                runnable -> daemon(runnable, threadName + "-publish"));
    }

    /**
     * Opens the task's side-store, first downloading its copy from storage if {@code file} does not exist. If
     * storage cannot be read, starts with an empty one: storage stays the authority on what is backed up.
     */
    static StateStore openSideStore(ObjectStore store, String stateKey, Path file) {
        try {
            restoreIfMissing(store, stateKey, file);
        } catch (StorageException e) {
            log.warn("Could not fetch side-store {} from {}; starting with an empty one (storage stays the "
                    + "authority on what is backed up): {}", stateKey, store.describe(), e.toString());
        }
        return StateStore.open(file);
    }

    /** Downloads the side-store copy from storage if {@code file} does not exist; true if it did. */
    static boolean restoreIfMissing(ObjectStore store, String stateKey, Path file) {
        if (Files.exists(file)) {
            return false;
        }
        return store.readIfExists(stateKey).map(bytes -> {
            try {
                Files.createDirectories(file.toAbsolutePath().getParent());
                Path temp = file.resolveSibling(file.getFileName() + ".download");
                Files.write(temp, bytes);
                Files.move(temp, file);
                log.info("Restored side-store {} from {} in {}", file, stateKey, store.describe());
                return true;
            } catch (IOException e) {
                throw new IllegalStateException("Could not restore side-store " + file + " from " + stateKey, e);
            }
        }).orElse(false);
    }

    /**
     * What retention applies to: how long segments are kept, the grace before expired objects are deleted, and
     * the partitions this task owns (it applies retention to those only).
     */
    record Retention(Duration keep, Duration grace, Supplier<Collection<TopicPartition>> owned) {
    }

    /**
     * What compaction applies to: how it merges, the partitions this task owns (it compacts those only), and the
     * task's memory budget, in which a merge's buffers ({@code mergeHeapBytes}) count while it runs.
     */
    record Compaction(SegmentCompaction.Settings settings, Supplier<Collection<TopicPartition>> owned,
                      MemoryBudget budget, long mergeHeapBytes) {
    }

    /** Compacts the owned partitions from now on: at most one merge per run (see {@link #applyCompaction}). */
    void compact(Compaction compaction) {
        this.compaction = compaction;
        // the task holds back records while a merge's buffers use its budget, as it does for its own
        this.compactor = new SegmentCompaction(catalog, compaction.settings(), new SegmentCompaction.MergeMemory() {
            @Override
            public void hold() {
                compaction.budget().add(compaction.mergeHeapBytes());
            }

            @Override
            public void release() {
                compaction.budget().release(compaction.mergeHeapBytes());
            }
        });
    }

    /** Applies {@code retention} on every run from now on. */
    void retain(Retention retention) {
        this.retention = retention;
    }

    void start() {
        long millis = interval.toMillis();
        scheduler.scheduleWithFixedDelay(this::runQuietly, 0, millis, TimeUnit.MILLISECONDS);
    }

    /** Failed runs since the task started. */
    long failuresTotal() {
        return failuresTotal.get();
    }

    int consecutiveFailures() {
        return consecutiveFailures.get();
    }

    /** Milliseconds since the last successful run (since start while none succeeded). */
    long millisSinceLastSuccess() {
        return Math.max(0, clock.millis() - lastSuccessMillis);
    }

    /**
     * The last failure once {@link #FAILURES_BEFORE_TASK_FAILS} runs in a row failed and the last one was not a
     * storage outage (a retriable storage error: the task waits those out), else null.
     */
    Throwable persistentFailure() {
        Throwable last = lastFailure;
        return consecutiveFailures.get() >= FAILURES_BEFORE_TASK_FAILS && last != null && !isStorageOutage(last)
                ? last : null;
    }

    /**
     * Fails the task once publishing has failed for good ({@link #persistentFailure}).
     *
     * @throws ConnectException naming the backup, the store and the last failure
     */
    void failIfPersistentlyFailing() {
        Throwable cause = persistentFailure();
        if (cause != null) {
            throw new ConnectException("Publishing backup " + job.backupId() + " to " + store.describe()
                    + " (partition indexes, manifest, side-store copy) failed " + consecutiveFailures()
                    + " times in a row, last with: " + cause + ". Completed segments are stored, but a restore "
                    + "does not see the newest ones until they are published. Fix the cause and restart the task: "
                    + "the side-store keeps the unpublished segments and the next run publishes them.", cause);
        }
    }

    /** Asks for a run soon, for example after the first segment is complete. */
    void nudge() {
        scheduler.execute(this::runQuietly);
    }

    /**
     * One publication; exposed for tests. Writes a piece per partition with new segments (what changed since the
     * last run, whatever the backup's age), lets the catalog fold those partitions where a fold is due, creates the
     * manifest on the first run, and applies retention and compaction.
     */
    void runOnce() {
        run(true);
    }

    /** @param upkeep whether to fold, expire and compact after publishing (not on close) */
    private synchronized void run(boolean upkeep) {
        Instant now = clock.instant();
        Map<TopicPartition, List<SegmentInfo>> pending = state.pendingSegments();
        Map<TopicPartition, Future<PartitionIndex>> published = new HashMap<>();
        for (Map.Entry<TopicPartition, List<SegmentInfo>> entry : pending.entrySet()) {
            TopicPartition partition = entry.getKey();
            PartitionIndex index = new PartitionIndex(partition.topic(), partition.partition(), now,
                    entry.getValue());
            published.put(partition, publishers.submit(() -> catalog.publishIndex(index, now)));
        }
        List<SegmentInfo> done = new ArrayList<>();
        Map<TopicPartition, Future<CatalogFolder.Outcome>> folds = new HashMap<>();
        RuntimeException failure = null;
        for (Map.Entry<TopicPartition, Future<PartitionIndex>> entry : published.entrySet()) {
            TopicPartition partition = entry.getKey();
            try {
                entry.getValue().get();
                done.addAll(pending.get(partition));
                Integer pieces = piecesSinceFold.computeIfPresent(partition, (p, known) -> known + 1);
                if (upkeep && (pieces == null || pieces >= catalog.foldFanout())) {
                    folds.put(partition, publishers.submit(() -> catalog.checkpoint(partition.topic(),
                            partition.partition(), now)));
                }
            } catch (ExecutionException e) {
                failure = asRuntime(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        if (!manifestWritten) {
            catalog.publishManifest(List.of(), source, now);
            manifestWritten = true;
        }
        state.published(done, now.toEpochMilli(), job.backupId(), job.connector(), job.task());
        for (Map.Entry<TopicPartition, Future<CatalogFolder.Outcome>> fold : folds.entrySet()) {
            try {
                piecesSinceFold.put(fold.getKey(), fold.getValue().get().piecesLeft());
            } catch (ExecutionException e) {
                // the pieces are published; an unfolded catalog is only slower to read until the next run folds it
                piecesSinceFold.remove(fold.getKey());
                failure = failure != null ? failure : asRuntime(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        if (upkeep) {
            failure = applyRetention(now, failure);
            failure = applyCompaction(now, failure);
        }
        uploadSideStore();
        if (failure != null) {
            throw failure;
        }
    }

    /**
     * Expires what retention says in the owned partitions, at most {@link #LOOKS_PER_RUN} per run, taking turns;
     * returns the first failure (or {@code failure}).
     */
    private RuntimeException applyRetention(Instant now, RuntimeException failure) {
        Retention policy = retention;
        if (policy == null) {
            return failure;
        }
        // retention is decided to the minute (or the grace, if shorter): no need to list each partition every sync
        for (TopicPartition partition : retentionTurns.due(policy.owned().get(), now, recheck(policy.grace()))) {
            try {
                catalog.expire(partition.topic(), partition.partition(), policy.keep(), policy.grace(), now);
                retentionTurns.looked(partition, now);
            } catch (RuntimeException e) {
                retentionTurns.lookAgain(partition);
                failure = failure != null ? failure : e;
            }
        }
        return failure;
    }

    /**
     * Compacts the owned partitions, taking turns, until one merge was made: the bandwidth limit is one merge (at
     * most {@code compaction.target.bytes} read and written) per task per run, on this background thread, and at
     * most {@link #LOOKS_PER_RUN} partitions looked at. A partition where there was nothing to do is looked at
     * again after a minute (or the minimum age, if shorter) at the earliest. A failed merge (verification
     * included) changed nothing and is logged, never counted as a failed run: the task must not fail because a
     * merge could not be made. Returns {@code failure} unchanged.
     */
    private RuntimeException applyCompaction(Instant now, RuntimeException failure) {
        Compaction policy = compaction;
        if (policy == null) {
            return failure;
        }
        for (TopicPartition partition : compactionTurns.due(policy.owned().get(), now,
                recheck(policy.settings().minAge()))) {
            try {
                SegmentCompaction.Outcome outcome = compactor.compact(partition.topic(), partition.partition(), now);
                if (outcome.merged().isEmpty() && outcome.segmentsDeleted() == 0) {
                    compactionTurns.looked(partition, now);
                } else {
                    compactionTurns.lookAgain(partition);
                }
                if (outcome.merged().isPresent()) {
                    break;
                }
            } catch (RuntimeException e) {
                // not a publication failure: the catalog is unchanged and the backup goes on without this merge
                log.warn("Compaction of {} in backup {} failed; it is tried again later: {}", partition,
                        job.backupId(), e.toString());
                compactionTurns.looked(partition, now);
            }
        }
        return failure;
    }

    /** {@link #RECHECK_INTERVAL}, or {@code shorter} if it is shorter. */
    private static Duration recheck(Duration shorter) {
        return shorter.compareTo(RECHECK_INTERVAL) < 0 ? shorter : RECHECK_INTERVAL;
    }

    private static RuntimeException asRuntime(ExecutionException e) {
        return e.getCause() instanceof RuntimeException runtime ? runtime : new IllegalStateException(e.getCause());
    }

    @Override
    public void close() {
        scheduler.shutdown();
        try {
            scheduler.awaitTermination(30, TimeUnit.SECONDS);
            run(false);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException | Error e) {
            log.warn("Final publication of backup {} failed; the next task to start will publish it: {}{}",
                    job.backupId(), e, e.getCause() == null ? "" : " (" + e.getCause() + ")");
        } finally {
            publishers.shutdownNow();
        }
    }

    private void uploadSideStore() {
        // A unique name: a restarted task can briefly share this directory with its stopping predecessor.
        Path snapshot = state.file().resolveSibling(state.file().getFileName() + "." + java.util.UUID.randomUUID()
                + ".snapshot");
        state.snapshotTo(snapshot);
        try {
            store.put(stateKey, StateStore.readBytes(snapshot), WriteMode.OVERWRITE);
        } finally {
            try {
                Files.deleteIfExists(snapshot);
            } catch (IOException e) {
                log.debug("Could not delete {}", snapshot, e);
            }
        }
    }

    /** A scheduled run: whatever it throws is recorded and logged, and never cancels the schedule. */
    private void runQuietly() {
        try {
            runOnce();
            consecutiveFailures.set(0);
            lastFailure = null;
            lastSuccessMillis = clock.millis();
        } catch (Throwable e) {
            failuresTotal.incrementAndGet();
            int failures = consecutiveFailures.incrementAndGet();
            lastFailure = e;
            if (isStorageOutage(e)) {
                log.warn("Publishing the state of backup {} to {} failed ({} in a row); retrying in {} ms: {}",
                        job.backupId(), store.describe(), failures, interval.toMillis(), e.toString());
            } else {
                log.error("Publishing the state of backup {} to {} failed ({} in a row, the task fails after {}); "
                        + "retrying in {} ms", job.backupId(), store.describe(), failures,
                        FAILURES_BEFORE_TASK_FAILS, interval.toMillis(), e);
            }
        }
    }

    private static boolean isStorageOutage(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof StorageException storage) {
                return storage.isRetriable();
            }
        }
        return false;
    }

    private static Thread daemon(Runnable runnable, String name) {
        Thread thread = new Thread(runnable, name);
        thread.setDaemon(true);
        return thread;
    }
}
