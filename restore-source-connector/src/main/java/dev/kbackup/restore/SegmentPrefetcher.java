package dev.kbackup.restore;

import dev.kbackup.memory.HeapCost;
import dev.kbackup.format.EncryptionKeys;
import dev.kbackup.format.SegmentFooter;
import dev.kbackup.format.SegmentFormat;
import dev.kbackup.format.SegmentInfo;
import dev.kbackup.format.SegmentReader;
import dev.kbackup.format.TimeWindow;
import dev.kbackup.storage.ObjectStore;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads segments ahead of the task in background threads, in ranged chunks, within one memory budget per task
 * ({@code budgetBytes}), whatever the number of partitions. Half of it is read-ahead: fetched-but-unread chunks and
 * the footers of segments about to be read (plus one chunk when the task is waiting and nothing is buffered for it).
 * The other half is for open segments: the readers' block buffers and decoded blocks, counted by
 * {@link ReaderSlots}, which lets a bounded number of partitions hold an open segment at a time while the others
 * wait their turn. Each restored partition is a {@link Lane}: its segments in the order the task will read them. For
 * each segment the footer is read first (a ranged read of the tail), then only the byte range from the first to the
 * last block that can hold wanted records. The task never downloads a segment whole into memory, and nothing of a
 * segment is kept once the task has finished it.
 *
 * <p>Storage reads go through {@link RetryingSegmentReader} (timed, transient failures retried); what still fails is
 * handed to the reader of that segment, in the task's thread, as the original exception.
 *
 * <p>One lock guards all of it; storage reads run outside it. What to fetch next is {@link FetchScheduler}'s
 * decision, the bytes held are counted by {@link ReadAheadBudget} and {@link ReaderSlots}, and the reader reads
 * through a {@link SegmentFetchStream}. Over 400 lines because what is left shares that one lock: the lanes the task
 * opens segments from, the background threads' loop, and the waits between them; splitting it further would spread
 * one lock's invariants over several files.
 */
final class SegmentPrefetcher implements AutoCloseable {

    /** Told about every storage request the prefetcher makes and every wait of the task for data. */
    interface Listener {
        void storageRead(long nanos, long bytes);

        void waitedForStorage(long nanos);
    }

    static final Listener NO_LISTENER = new Listener() {
        @Override
        public void storageRead(long nanos, long bytes) {
        }

        @Override
        public void waitedForStorage(long nanos) {
        }
    };

    private static final int FOOTER_LOOKAHEAD = 2;
    /** What a reader is assumed to hold before one has reported: three default blocks (buffers and records). */
    static final long FIRST_READER_ESTIMATE = 3 * HeapCost.ofArray(SegmentFormat.DEFAULT_BLOCK_BYTES);
    /** Heap of a parsed footer: the object and, per block, one index entry. */
    private static final int FOOTER_BYTES = 128;
    private static final int FOOTER_ENTRY_BYTES = 80;

    private final RetryingSegmentReader reads;
    private final ReadAheadBudget readAhead;
    private final Listener listener;
    private final Object lock = new Object();
    private final List<Lane> lanes = new ArrayList<>();
    private final ReaderSlots<Lane> slots;
    private final List<Thread> threads = new ArrayList<>();
    private final FetchScheduler scheduler;
    private final EncryptionKeys keys;
    private SegmentFetch demanded;
    private boolean closed;

    SegmentPrefetcher(ObjectStore store, long budgetBytes, int threadCount, String threadName, Listener listener) {
        this(store, budgetBytes, threadCount, threadName, listener, EncryptionKeys.NONE);
    }

    /** @param keys open encrypted segments; a segment under a key id they lack fails with a SegmentKeyException */
    SegmentPrefetcher(ObjectStore store, long budgetBytes, int threadCount, String threadName, Listener listener,
                      EncryptionKeys keys) {
        this.keys = keys;
        this.reads = new RetryingSegmentReader(store, listener);
        long readAheadBytes = budgetBytes / 2;
        // each open segment may demand one chunk beyond the read-ahead: half of it is kept for those demands
        this.slots = new ReaderSlots<>(budgetBytes - readAheadBytes, FIRST_READER_ESTIMATE,
                (int) Math.min(Integer.MAX_VALUE, readAheadBytes / (2L * FetchScheduler.MIN_CHUNK_BYTES)));
        this.listener = listener;
        this.readAhead = new ReadAheadBudget(slots);
        this.scheduler = new FetchScheduler(readAheadBytes, FOOTER_LOOKAHEAD);
        for (int i = 0; i < threadCount; i++) {
            Thread thread = new Thread(this::run, threadName + "-" + i);
            thread.setDaemon(true);
            threads.add(thread);
        }
        threads.forEach(Thread::start);
    }

    /**
     * Registers the segments one partition will read, in order. {@code minOffset} and {@code window} decide which
     * blocks of each segment are fetched; the reader still checks every record.
     */
    Lane lane(String name, List<SegmentInfo> segments, long minOffset, TimeWindow window) {
        synchronized (lock) {
            Lane lane = new Lane(name, segments, minOffset, window);
            lanes.add(lane);
            lock.notifyAll();
            return lane;
        }
    }

    /** Bytes fetched (or being fetched) and not yet read by the task, footers included. */
    long bufferedBytes() {
        synchronized (lock) {
            return readAhead.bufferedBytes();
        }
    }

    /** Everything the prefetcher accounts for: read-ahead and the open segments' readers. */
    long heldBytes() {
        synchronized (lock) {
            return readAhead.heldBytes();
        }
    }

    /** The most {@link #heldBytes()} has been. */
    long peakHeldBytes() {
        synchronized (lock) {
            return readAhead.peakHeldBytes();
        }
    }

    /** Partitions holding an open segment now. */
    int openSegments() {
        synchronized (lock) {
            return slots.open();
        }
    }

    /** Segments the prefetcher keeps state for: the open ones and those read ahead, never finished ones. */
    int retainedSegments() {
        synchronized (lock) {
            int count = 0;
            for (Lane lane : lanes) {
                count += (lane.open == null ? 0 : 1) + lane.ahead.size();
            }
            return count;
        }
    }

    @Override
    public void close() {
        reads.close();
        synchronized (lock) {
            closed = true;
            for (Lane lane : lanes) {
                if (lane.open != null) {
                    release(lane.open);
                }
                lane.ahead.forEach(this::release);
            }
            lock.notifyAll();
        }
        for (Thread thread : threads) {
            try {
                thread.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** One segment as the task opens it: the blocks worth reading and a reader positioned at the first. */
    record OpenSegment(SegmentInfo segment, SegmentFooter footer, int firstBlock, int lastBlock, SegmentReader reader) {

        /** True when no block of the segment can hold a wanted record. */
        boolean isEmpty() {
            return reader == null;
        }
    }

    /**
     * The segments of one partition, opened one after the other by the task. Between segments the lane holds no
     * reader; to open the next one it must take its turn ({@link #takeTurn()}).
     */
    final class Lane implements FetchScheduler.Queue {
        private final String name;
        private final List<SegmentInfo> segments;
        private final long minOffset;
        private final TimeWindow window;
        /** Read ahead for {@code segments[next..]}, at most {@value #FOOTER_LOOKAHEAD}. */
        private final List<SegmentFetch> ahead = new ArrayList<>();
        private int next;
        private SegmentFetch open;
        private SegmentInfo last;

        private Lane(String name, List<SegmentInfo> segments, long minOffset, TimeWindow window) {
            this.name = name;
            this.segments = new ArrayList<>(segments);
            this.minOffset = minOffset;
            this.window = window;
        }

        /**
         * True if this partition may open its next segment now (or has none left); false if it waits in line for
         * memory held by other partitions' open segments, and should ask again on its next turn.
         */
        boolean takeTurn() {
            synchronized (lock) {
                if (next >= segments.size() && open == null) {
                    return true;
                }
                boolean entered = slots.tryEnter(this);
                readAhead.notePeak();
                lock.notifyAll();
                return entered;
            }
        }

        /**
         * Finishes the segment opened last and opens the next one, waiting for its footer if needed; null when the
         * lane has no more segments. Call after {@link #takeTurn()} returned true. Throws what reading the footer
         * threw; the failed segment counts as opened, and {@link #finishSegment()} releases it.
         */
        OpenSegment next() {
            SegmentFetch fetch;
            SegmentFooter footer;
            synchronized (lock) {
                finishLocked();
                if (next >= segments.size()) {
                    slots.leave(this);
                    lock.notifyAll();
                    return null;
                }
                fetch = ahead.isEmpty() ? new SegmentFetch(segments.get(next), minOffset, window) : ahead.remove(0);
                next++;
                open = fetch;
                last = fetch.segment;
                lock.notifyAll();
                awaitLocked(fetch, () -> fetch.footer != null || fetch.failure != null);
                if (fetch.failure != null) {
                    release(fetch);
                    throw fetch.failure;
                }
                footer = fetch.footer;
            }
            if (fetch.firstBlock < 0) {
                return new OpenSegment(fetch.segment, footer, -1, -1, null);
            }
            SegmentReader reader = SegmentReader.openAtBlock(new SegmentFetchStream(SegmentPrefetcher.this, fetch),
                    fetch.segment.key(), footer,
                    fetch.firstBlock, keys);
            return new OpenSegment(fetch.segment, footer, fetch.firstBlock, fetch.lastBlock, reader);
        }

        /** Adds segments after the lane's last one (a following restore found them); they are read in turn. */
        void append(List<SegmentInfo> more) {
            synchronized (lock) {
                segments.addAll(more);
                lock.notifyAll();
            }
        }

        /** The open segment's reader and decoded block now hold {@code bytes} of heap. */
        void holding(long bytes) {
            synchronized (lock) {
                slots.holding(this, bytes);
                readAhead.notePeak();
            }
        }

        /**
         * Done with the segment opened last (read to its end or skipped): forgets it, frees its buffers and gives
         * this partition's place to the next one in line.
         */
        void finishSegment() {
            synchronized (lock) {
                finishLocked();
                slots.leave(this);
                lock.notifyAll();
            }
        }

        /** True while this partition waits in line for a turn to open its next segment. */
        boolean isWaiting() {
            synchronized (lock) {
                return slots.isWaiting(this);
            }
        }

        /** The segment opened last, or being opened. */
        SegmentInfo current() {
            synchronized (lock) {
                return last != null ? last : segments.get(Math.min(next, segments.size() - 1));
            }
        }

        private void finishLocked() {
            if (open != null) {
                release(open);
                open = null;
            }
        }

        /** The i-th segment state worth reading for: the open one, then those ahead (created as needed). */
        @Override
        public SegmentFetch fetch(int i) {
            if (open != null) {
                if (i == 0) {
                    return open;
                }
                i--;
            }
            while (ahead.size() <= i && next + ahead.size() < segments.size()
                    && ahead.size() < FOOTER_LOOKAHEAD) {
                ahead.add(new SegmentFetch(segments.get(next + ahead.size()), minOffset, window));
            }
            return i < ahead.size() ? ahead.get(i) : null;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /**
     * Copies fetched bytes of {@code fetch} at the task's read position, waiting for them if needed; -1 at the end
     * of the range worth reading. Called by {@link SegmentFetchStream} in the task's thread.
     */
    int read(SegmentFetch fetch, byte[] target, int offset, int length) throws IOException {
        synchronized (lock) {
            if (fetch.released) {
                throw new IOException("Segment " + fetch.segment.key() + " is no longer being read");
            }
            if (fetch.readPosition >= fetch.end) {
                return -1;
            }
            awaitLocked(fetch, () -> fetch.hasDataAt(fetch.readPosition) || fetch.failure != null);
            if (!fetch.hasDataAt(fetch.readPosition)) {
                throw fetch.failure;
            }
            Map.Entry<Long, byte[]> chunk = fetch.chunks.firstEntry();
            int from = (int) (fetch.readPosition - chunk.getKey());
            int n = Math.min(length, chunk.getValue().length - from);
            System.arraycopy(chunk.getValue(), from, target, offset, n);
            fetch.readPosition += n;
            if (from + n == chunk.getValue().length) {
                fetch.chunks.pollFirstEntry();
                readAhead.free(fetch, chunk.getValue().length);
                lock.notifyAll();
            }
            return n;
        }
    }

    /** The reader of {@code fetch} is closed: frees what the segment holds. */
    void closed(SegmentFetch fetch) {
        synchronized (lock) {
            release(fetch);
        }
    }

    private interface Condition {
        boolean holds();
    }

    /** Waits (holding {@link #lock}) until {@code condition} holds, marking {@code fetch} as what the task needs. */
    private void awaitLocked(SegmentFetch fetch, Condition condition) {
        if (condition.holds()) {
            return;
        }
        long started = System.nanoTime();
        demanded = fetch;
        lock.notifyAll();
        try {
            while (!condition.holds()) {
                if (closed) {
                    throw new IllegalStateException("The restore is stopping; segment " + fetch.segment.key()
                            + " was not read");
                }
                lock.wait(1_000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for segment " + fetch.segment.key(), e);
        } finally {
            demanded = null;
            listener.waitedForStorage(System.nanoTime() - started);
        }
    }

    /** Frees what a segment holds; called with the lock held. */
    private void release(SegmentFetch fetch) {
        if (!fetch.released) {
            fetch.released = true;
            readAhead.freeAll(fetch);
            fetch.chunks.clear();
            fetch.footer = null;
            lock.notifyAll();
        }
    }

    private void run() {
        while (true) {
            FetchScheduler.Work work;
            synchronized (lock) {
                while (true) {
                    if (closed) {
                        return;
                    }
                    work = scheduler.next(demanded, slots.readingOrder(), readAhead.bufferedBytes(),
                            slots.open());
                    if (work != null) {
                        break;
                    }
                    try {
                        lock.wait(1_000);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                reserve(work);
            }
            // outside the lock: the storage read; the reservation keeps other threads off this work meanwhile
            if (work.isFooter()) {
                resolveFooter(work.fetch());
            } else {
                fetchChunk(work);
            }
        }
    }

    /** Claims a piece of work so that no other thread takes it; called with the lock held. */
    private void reserve(FetchScheduler.Work work) {
        SegmentFetch fetch = work.fetch();
        if (work.isFooter()) {
            fetch.resolving = true;
        } else {
            fetch.nextFetch += work.length();
            readAhead.hold(fetch, work.length());
        }
    }

    /** Reads a reserved footer; called without the lock, which it takes only to publish the result. */
    private void resolveFooter(SegmentFetch fetch) {
        SegmentFooter footer = null;
        RuntimeException failure = null;
        try {
            footer = reads.footer(fetch.segment);
        } catch (RuntimeException e) {
            failure = e;
        }
        synchronized (lock) {
            fetch.resolving = false;
            if (failure != null) {
                fetch.failure = failure;
            } else {
                if (!fetch.released) {
                    long footerBytes = FOOTER_BYTES + (long) FOOTER_ENTRY_BYTES * footer.blocks().size();
                    readAhead.hold(fetch, footerBytes);
                }
                fetch.footerRead(footer);
            }
            lock.notifyAll();
        }
    }

    /** Reads a reserved chunk; called without the lock, which it takes only to publish the result. */
    private void fetchChunk(FetchScheduler.Work work) {
        SegmentFetch fetch = work.fetch();
        byte[] bytes = null;
        RuntimeException failure = null;
        try {
            bytes = reads.range(fetch.segment, work.start(), work.length());
        } catch (RuntimeException e) {
            failure = e;
        }
        synchronized (lock) {
            if (fetch.released) {
                // the task moved on (skipped or stopped) while this chunk was in flight; release() freed its bytes
                return;
            }
            if (failure != null) {
                readAhead.free(fetch, work.length());
                if (fetch.failure == null) {
                    fetch.failure = failure;
                }
            } else {
                fetch.chunks.put(work.start(), bytes);
            }
            lock.notifyAll();
        }
    }

}
