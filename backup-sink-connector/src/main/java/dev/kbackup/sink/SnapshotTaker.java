package dev.kbackup.sink;

import dev.kbackup.layout.ClusterSnapshot;
import dev.kbackup.layout.ClusterSnapshots;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Takes a snapshot of the source cluster's metadata every {@code snapshot.interval.ms} on its own thread and stores
 * it beside the segments. A snapshot that fails is logged and counted and the next one is tried on schedule: the
 * data backup never waits for or stops because of a snapshot.
 */
final class SnapshotTaker implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SnapshotTaker.class);

    private final Supplier<ClusterSnapshot> collector;
    private final ClusterSnapshots snapshots;
    private final AutoCloseable resources;
    private final AtomicLong taken = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private ScheduledExecutorService thread;

    /** @param resources closed with the taker (the admin client the collector reads through) */
    SnapshotTaker(Supplier<ClusterSnapshot> collector, ClusterSnapshots snapshots, AutoCloseable resources) {
        this.collector = collector;
        this.snapshots = snapshots;
        this.resources = resources;
    }

    /**
     * Whether a task takes snapshots: task 0 alone (every connector has one, whatever {@code tasks.max}), so that
     * there is one snapshot per interval; none when the interval is 0 (off, or no {@code cluster.bootstrap.servers}).
     */
    static boolean isTakenBy(int taskNumber, long intervalMillis) {
        return taskNumber == 0 && intervalMillis > 0;
    }

    /** Takes the first snapshot now, then one every {@code intervalMillis}, on a thread of its own. */
    void start(long intervalMillis, String threadName) {
        thread = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread named = new Thread(runnable, threadName);
            named.setDaemon(true);
            return named;
        });
        thread.scheduleWithFixedDelay(this::takeOne, 0, intervalMillis, TimeUnit.MILLISECONDS);
    }

    /** Takes and stores one snapshot; true if it was stored. Never throws. */
    boolean takeOne() {
        try {
            ClusterSnapshot snapshot = collector.get();
            String key = snapshots.write(snapshot);
            taken.incrementAndGet();
            log.debug("Stored snapshot {}: {} topics, {} consumer groups{}", key, snapshot.topics().size(),
                    snapshot.groups().size(), snapshot.acls() == null ? "" : ", " + snapshot.acls().size() + " ACLs");
            return true;
        } catch (RuntimeException e) {
            long failures = failed.incrementAndGet();
            log.warn("Could not take a snapshot of the source cluster's consumer group offsets and topic configs "
                    + "({} failed so far; the data backup goes on and the next snapshot is tried on schedule): {}",
                    failures, e.toString());
            return false;
        }
    }

    long takenTotal() {
        return taken.get();
    }

    long failuresTotal() {
        return failed.get();
    }

    @Override
    public void close() {
        if (thread != null) {
            thread.shutdownNow();
            try {
                thread.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try {
            resources.close();
        } catch (Exception e) {
            log.debug("Closing the snapshot's admin client failed", e);
        }
    }
}
