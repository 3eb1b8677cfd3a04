package dev.kbackup.sink;

import dev.kbackup.format.BlockCompressor;
import dev.kbackup.format.Codec;
import dev.kbackup.format.EncryptionKeys;
import dev.kbackup.format.RawBlock;
import dev.kbackup.format.SegmentInfo;
import dev.kbackup.format.SegmentWriter;
import dev.kbackup.layout.BackupCatalog;
import dev.kbackup.storage.ObjectExistsException;
import dev.kbackup.storage.ObjectInfo;
import dev.kbackup.storage.ObjectStore;
import dev.kbackup.storage.ObjectUpload;
import dev.kbackup.storage.WriteMode;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Compresses blocks and streams them into segment uploads on one background thread, so the task thread only
 * encodes. Work for all segments runs in submission order. A segment becomes visible only when its upload
 * completes; a failure of any kind (an {@link Error} included) or a name conflict closes the partition's gate:
 * every later segment of the partition is refused and aborted, whenever it was opened, until the task has rewound
 * the partition and called {@link #reset}. So a segment completes only if every earlier segment of its partition
 * did, and the durable offset can never pass a segment that failed.
 */
final class SegmentPipeline implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SegmentPipeline.class);

    /** What the task learns from the pipeline. Called on the pipeline thread. */
    interface Listener {
        void completed(TopicPartition partition, SegmentInfo segment, long uploadNanos);

        /** Another writer completed this segment name first; {@code existing} describes what is stored. */
        void superseded(TopicPartition partition, String key, SegmentInfo existing);

        void failed(TopicPartition partition, String key, Throwable cause);
    }

    private final ObjectStore store;
    private final BackupCatalog catalog;
    private final BlockCompressor compressor;
    private final int blockBytes;
    private final EncryptionKeys keys;
    private final MemoryBudget budget;
    private final SpareBlockBuffers spares;
    private final Listener listener;
    private final ExecutorService thread;
    private final Map<TopicPartition, Gate> gates = new ConcurrentHashMap<>();
    private final Set<Segment> live = ConcurrentHashMap.newKeySet();
    private volatile boolean closing;

    SegmentPipeline(ObjectStore store, BackupCatalog catalog, Codec codec, int compressionLevel, int blockBytes,
                    MemoryBudget budget, Listener listener, String threadName) {
        this(store, catalog, codec, compressionLevel, blockBytes, budget, listener, ownThread(threadName));
    }

    /** The pipeline's own daemon thread. */
    static ExecutorService ownThread(String threadName) {
        return Executors.newSingleThreadExecutor(runnable -> {
            Thread t = new Thread(runnable, threadName);
            t.setDaemon(true);
            return t;
        });
    }

    // for testing: {@code thread} must run work one piece at a time, in submission order
    SegmentPipeline(ObjectStore store, BackupCatalog catalog, Codec codec, int compressionLevel, int blockBytes,
                    MemoryBudget budget, Listener listener, ExecutorService thread) {
        this(store, catalog, codec, compressionLevel, blockBytes, EncryptionKeys.NONE, budget, listener, thread);
    }

    /** {@code keys}: new segments are encrypted if they hold a current key. */
    SegmentPipeline(ObjectStore store, BackupCatalog catalog, Codec codec, int compressionLevel, int blockBytes,
                    EncryptionKeys keys, MemoryBudget budget, Listener listener, ExecutorService thread) {
        this.keys = keys;
        this.store = store;
        this.catalog = catalog;
        this.compressor = codec.newCompressor(compressionLevel);
        this.blockBytes = blockBytes;
        this.budget = budget;
        this.spares = new SpareBlockBuffers(budget, blockBytes);
        this.listener = listener;
        this.thread = thread;
    }

    /**
     * A new segment of {@code partition} that will be stored under {@code key}; nothing is sent yet. It belongs to
     * the epoch the task last acknowledged with {@link #reset}: if a segment of that epoch has failed, this one
     * will be refused too. {@code coversFrom} is the first offset the writer was waiting for (recorded in the
     * footer, see {@link dev.kbackup.format.SegmentFooter}).
     */
    Segment open(TopicPartition partition, String key, long coversFrom) {
        return new Segment(partition, key, coversFrom, gate(partition).epoch());
    }

    /** Queues a block for compression and upload; its bytes count against the budget until written. */
    void append(Segment segment, RawBlock block) {
        long bytes = block.retainedBytes();
        budget.add(bytes);
        segment.held.addAndGet(bytes);
        run(() -> {
            boolean written = false;
            try {
                if (!closing && isCurrent(segment)) {
                    segment.write(block);
                    written = true;
                }
            } catch (Throwable e) {
                // An Error too: a block that was not written must never be skipped by a segment that completes.
                fail(segment, e);
            } finally {
                segment.held.addAndGet(-bytes);
                // a written block's buffer is read no more: kept for a writer's next block, it stays counted
                if (!(written && spares.keep(block.data()))) {
                    budget.release(bytes);
                }
            }
        });
    }

    /** A full-size block buffer the pipeline has written out, for a writer's next block; null if none is kept. */
    byte[] takeSpareBuffer() {
        return spares.take();
    }

    /** Lets the kept block buffers go, as memory pressure does first; returns the bytes released. */
    long dropSpareBuffers() {
        return spares.drop();
    }

    /** Queues the segment's completion: footer, last part, then the conditional create. */
    void finish(Segment segment) {
        run(() -> {
            if (closing || !isCurrent(segment) || segment.writer == null) {
                segment.abort();
                return;
            }
            long start = System.nanoTime();
            try {
                SegmentInfo info = segment.writer.finish();
                segment.account();
                segment.upload.complete();
                segment.account(0);
                live.remove(segment);
                listener.completed(segment.partition, info, System.nanoTime() - start);
            } catch (ObjectExistsException e) {
                segment.abort();
                poison(segment);
                superseded(segment);
            } catch (Throwable e) {
                fail(segment, e);
            }
        });
    }

    /** Queues dropping the segment's upload. */
    void abort(Segment segment) {
        run(segment::abort);
    }

    /** Runs work on the pipeline thread, counted as queued in the budget until it is done. */
    private void run(Runnable work) {
        budget.workQueued();
        try {
            thread.execute(() -> {
                try {
                    work.run();
                } catch (Throwable e) {
                    // Work handles its own failures; this only keeps a surprise from passing unseen.
                    log.error("Unexpected failure on the segment pipeline", e);
                } finally {
                    budget.workDone();
                }
            });
        } catch (RuntimeException e) {
            budget.workDone();
            throw e;
        }
    }

    /**
     * Starts a new epoch for {@code partition}: the task has dropped everything it held beyond the durable offset
     * and rewound the partition (or has just taken it over). Segments opened before are refused from now on; new
     * ones are let through.
     */
    void reset(TopicPartition partition) {
        gate(partition).reset();
    }

    /** Waits until every piece of work queued so far is done. */
    boolean awaitQueued(long timeoutMillis) throws InterruptedException {
        Future<?> marker = thread.submit(() -> { });
        try {
            marker.get(timeoutMillis, TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("Pipeline marker failed", e);
        }
    }

    /**
     * Waits up to {@code timeoutMillis} for the work queued so far, as a task does before giving partitions up;
     * what does not finish is logged, and written again by the partition's next owner.
     */
    void finishQueued(long timeoutMillis) {
        try {
            if (!awaitQueued(timeoutMillis)) {
                log.warn("Segment uploads did not finish within {} ms; unfinished segments will be written again "
                        + "by the partition's next owner", timeoutMillis);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Skips the work still queued (releasing its memory and aborting its uploads; nothing half-written becomes
     * visible) and stops the thread. Call {@link #awaitQueued} first to finish what was queued instead.
     */
    @Override
    public void close() {
        closing = true;
        thread.shutdown();
        try {
            if (!thread.awaitTermination(30, TimeUnit.SECONDS)) {
                log.warn("Segment pipeline thread did not stop within 30 s; interrupting it");
                thread.shutdownNow();
                thread.awaitTermination(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        live.forEach(Segment::abort);
        spares.drop();
        compressor.close();
    }

    private Gate gate(TopicPartition partition) {
        return gates.computeIfAbsent(partition, p -> new Gate());
    }

    private boolean isCurrent(Segment segment) {
        return !segment.dead && gate(segment.partition).admits(segment.epoch);
    }

    private void fail(Segment segment, Throwable cause) {
        segment.abort();
        if (poison(segment)) {
            log.debug("Segment {} of {} failed and was dropped", segment.key, segment.partition, cause);
            listener.failed(segment.partition, segment.key, cause);
        }
    }

    /** Refuses all later segments of the partition's epoch; false if an earlier failure already did. */
    private boolean poison(Segment segment) {
        return gate(segment.partition).close(segment.epoch);
    }

    private void superseded(Segment segment) {
        try {
            ObjectInfo existing = store.stat(segment.key).orElseThrow(() ->
                    new IllegalStateException("Segment " + segment.key + " was reported as existing but is gone"));
            SegmentInfo info = catalog.describe(existing);
            log.warn("Segment {} of {} was already completed by another writer (offsets {}..{}); this copy was "
                    + "dropped and the partition resumes after it", segment.key, segment.partition,
                    info.firstOffset(), info.lastOffset());
            listener.superseded(segment.partition, segment.key, info);
        } catch (Throwable e) {
            listener.failed(segment.partition, segment.key, e);
        }
    }

    /**
     * Whether a partition's segments may complete: the epoch the task last acknowledged, and whether a segment of
     * that epoch failed. Only {@link #reset} (the task thread) moves the epoch on, so a segment opened after a
     * failure but before the task learnt of it carries the failed epoch and is refused.
     */
    private static final class Gate {
        private int epoch;
        private boolean closed;

        synchronized int epoch() {
            return epoch;
        }

        synchronized boolean admits(int segmentEpoch) {
            return segmentEpoch == epoch && !closed;
        }

        /** Closes the gate for {@code segmentEpoch}; false if it was closed already or the epoch is over. */
        synchronized boolean close(int segmentEpoch) {
            if (segmentEpoch != epoch || closed) {
                return false;
            }
            closed = true;
            return true;
        }

        synchronized void reset() {
            epoch++;
            closed = false;
        }
    }

    /** One segment on its way to storage. Its upload is started by the first block. */
    final class Segment {
        final TopicPartition partition;
        final String key;
        final long coversFrom;
        final int epoch;
        /**
         * This segment's share of the budget's pipeline bytes (queued blocks plus the upload's unsent part), kept
         * per segment only so that memory pressure can close the segments holding the most.
         */
        final AtomicLong held = new AtomicLong();
        private ObjectUpload upload;
        private SegmentWriter writer;
        private long uploadBuffered;
        private volatile boolean dead;

        private Segment(TopicPartition partition, String key, long coversFrom, int epoch) {
            this.partition = partition;
            this.key = key;
            this.coversFrom = coversFrom;
            this.epoch = epoch;
        }

        private void write(RawBlock block) {
            if (writer == null) {
                live.add(this);
                upload = store.startUpload(key, WriteMode.CREATE_NEW);
                writer = new SegmentWriter(key, partition.topic(), partition.partition(), compressor, upload,
                        blockBytes, coversFrom, keys);
            }
            writer.writeBlock(block);
            account();
        }

        /** Tracks the upload's unsent bytes in the budget. */
        private void account() {
            account(upload == null ? 0 : upload.bufferedBytes());
        }

        private void account(long buffered) {
            long delta = buffered - uploadBuffered;
            uploadBuffered = buffered;
            held.addAndGet(delta);
            if (delta > 0) {
                budget.add(delta);
            } else if (delta < 0) {
                budget.release(-delta);
            }
        }

        private void abort() {
            dead = true;
            live.remove(this);
            if (upload != null) {
                try {
                    upload.abort();
                } catch (Throwable e) {
                    log.debug("Abort of {} failed; the store expires incomplete uploads", key, e);
                }
                upload = null;
            }
            writer = null;
            account(0);
        }
    }
}
