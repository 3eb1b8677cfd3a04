package dev.kbackup.restore;

import dev.kbackup.HeapCost;
import dev.kbackup.format.BlockIndexEntry;
import dev.kbackup.format.SegmentFooter;
import dev.kbackup.format.SegmentFormat;
import dev.kbackup.format.SegmentInfo;
import dev.kbackup.format.SegmentReader;
import dev.kbackup.format.TimeWindow;
import dev.kbackup.storage.ObjectStore;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

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

    private static final int MIN_CHUNK_BYTES = 64 * 1024;
    private static final int MAX_CHUNK_BYTES = 8 * 1024 * 1024;
    private static final int FOOTER_LOOKAHEAD = 2;
    /** What a reader is assumed to hold before one has reported: three default blocks (buffers and records). */
    static final long FIRST_READER_ESTIMATE = 3 * HeapCost.ofArray(SegmentFormat.DEFAULT_BLOCK_BYTES);
    /** Heap of a parsed footer: the object and, per block, one index entry. */
    private static final int FOOTER_BYTES = 128;
    private static final int FOOTER_ENTRY_BYTES = 80;

    private final RetryingSegmentReader reads;
    private final long readAheadBytes;
    private final Listener listener;
    private final Object lock = new Object();
    private final List<Lane> lanes = new ArrayList<>();
    private final ReaderSlots<Lane> slots;
    private final List<Thread> threads = new ArrayList<>();
    private long bufferedBytes;
    private long peakHeldBytes;
    private Fetch demanded;
    private int nextLane;
    private boolean closed;

    SegmentPrefetcher(ObjectStore store, long budgetBytes, int threadCount, String threadName, Listener listener) {
        this.reads = new RetryingSegmentReader(store, listener);
        this.readAheadBytes = budgetBytes / 2;
        // each open segment may demand one chunk beyond the read-ahead: half of it is kept for those demands
        this.slots = new ReaderSlots<>(budgetBytes - readAheadBytes, FIRST_READER_ESTIMATE,
                (int) Math.min(Integer.MAX_VALUE, readAheadBytes / (2L * MIN_CHUNK_BYTES)));
        this.listener = listener;
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
            return bufferedBytes;
        }
    }

    /** Everything the prefetcher accounts for: read-ahead and the open segments' readers. */
    long heldBytes() {
        synchronized (lock) {
            return bufferedBytes + slots.heldBytes();
        }
    }

    /** The most {@link #heldBytes()} has been. */
    long peakHeldBytes() {
        synchronized (lock) {
            return peakHeldBytes;
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
    final class Lane {
        private final String name;
        private final List<SegmentInfo> segments;
        private final long minOffset;
        private final TimeWindow window;
        /** Read ahead for {@code segments[next..]}, at most {@value #FOOTER_LOOKAHEAD}. */
        private final List<Fetch> ahead = new ArrayList<>();
        private int next;
        private Fetch open;
        private SegmentInfo last;

        private Lane(String name, List<SegmentInfo> segments, long minOffset, TimeWindow window) {
            this.name = name;
            this.segments = List.copyOf(segments);
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
                noteHeld();
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
            Fetch fetch;
            SegmentFooter footer;
            synchronized (lock) {
                finishLocked();
                if (next >= segments.size()) {
                    slots.leave(this);
                    lock.notifyAll();
                    return null;
                }
                fetch = ahead.isEmpty() ? new Fetch(segments.get(next), minOffset, window) : ahead.remove(0);
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
            SegmentReader reader = SegmentReader.openAtBlock(new FetchStream(fetch), fetch.segment.key(), footer,
                    fetch.firstBlock);
            return new OpenSegment(fetch.segment, footer, fetch.firstBlock, fetch.lastBlock, reader);
        }

        /** The open segment's reader and decoded block now hold {@code bytes} of heap. */
        void holding(long bytes) {
            synchronized (lock) {
                slots.holding(this, bytes);
                noteHeld();
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
        private Fetch fetch(int i) {
            if (open != null) {
                if (i == 0) {
                    return open;
                }
                i--;
            }
            while (ahead.size() <= i && next + ahead.size() < segments.size()
                    && ahead.size() < FOOTER_LOOKAHEAD) {
                ahead.add(new Fetch(segments.get(next + ahead.size()), minOffset, window));
            }
            return i < ahead.size() ? ahead.get(i) : null;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /** The read state of one segment, shared by the background threads and the task under {@link #lock}. */
    private static final class Fetch {
        final SegmentInfo segment;
        final long minOffset;
        final TimeWindow window;
        SegmentFooter footer;
        boolean resolving;
        RuntimeException failure;
        int firstBlock = -1;
        int lastBlock = -1;
        long end;
        long nextFetch;
        long readPosition;
        final TreeMap<Long, byte[]> chunks = new TreeMap<>();
        long heldBytes;
        boolean released;

        Fetch(SegmentInfo segment, long minOffset, TimeWindow window) {
            this.segment = segment;
            this.minOffset = minOffset;
            this.window = window;
        }

        boolean wantsFooter() {
            return footer == null && !resolving && failure == null && !released;
        }

        boolean wantsChunk() {
            return footer != null && failure == null && !released && nextFetch < end;
        }

        boolean hasDataAt(long position) {
            Map.Entry<Long, byte[]> first = chunks.firstEntry();
            return first != null && first.getKey() <= position;
        }
    }

    /** What a background thread does next: read a footer, or read bytes [start, start + length) of a segment. */
    private record Work(Fetch fetch, long start, int length) {
        boolean isFooter() {
            return length < 0;
        }
    }

    /** The task's view of one segment's fetched byte range. Reads block until the bytes are there. */
    private final class FetchStream extends InputStream {
        private final Fetch fetch;

        FetchStream(Fetch fetch) {
            this.fetch = fetch;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] target, int offset, int length) throws IOException {
            if (length == 0) {
                return 0;
            }
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
                    fetch.heldBytes -= chunk.getValue().length;
                    bufferedBytes -= chunk.getValue().length;
                    lock.notifyAll();
                }
                return n;
            }
        }

        @Override
        public void close() {
            synchronized (lock) {
                release(fetch);
            }
        }
    }

    private interface Condition {
        boolean holds();
    }

    /** Waits (holding {@link #lock}) until {@code condition} holds, marking {@code fetch} as what the task needs. */
    private void awaitLocked(Fetch fetch, Condition condition) {
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
    private void release(Fetch fetch) {
        if (!fetch.released) {
            fetch.released = true;
            bufferedBytes -= fetch.heldBytes;
            fetch.heldBytes = 0;
            fetch.chunks.clear();
            fetch.footer = null;
            lock.notifyAll();
        }
    }

    private void run() {
        while (true) {
            Work work;
            synchronized (lock) {
                while (true) {
                    if (closed) {
                        return;
                    }
                    work = pick();
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
            if (work.isFooter()) {
                resolveFooter(work.fetch());
            } else {
                fetchChunk(work);
            }
        }
    }

    /** Claims a piece of work so that no other thread takes it; called with the lock held. */
    private void reserve(Work work) {
        Fetch fetch = work.fetch();
        if (work.isFooter()) {
            fetch.resolving = true;
        } else {
            fetch.nextFetch += work.length();
            fetch.heldBytes += work.length();
            bufferedBytes += work.length();
            noteHeld();
        }
    }

    /**
     * The most useful next piece of work, or null; called with the lock held. What the task waits for comes first,
     * then footers and chunks for the partitions holding an open segment and those next in line; chunks go to the
     * partition that has the least read ahead, within the read-ahead half of the budget.
     */
    private Work pick() {
        Fetch wanted = demanded;
        List<Lane> order = slots.readingOrder();
        long chunkTarget = chunkBytes(order.size());
        if (wanted != null) {
            if (wanted.wantsFooter()) {
                return new Work(wanted, 0, -1);
            }
            if (wanted.wantsChunk() && wanted.nextFetch == wanted.readPosition) {
                return chunkOf(wanted, chunkTarget);
            }
        }
        // room is left for one chunk per open segment, which the task may demand when it runs out of data
        boolean room = bufferedBytes + chunkTarget * (1L + slots.open()) <= readAheadBytes;
        if (!room) {
            return null;
        }
        for (Lane lane : order) {
            for (int i = 0; i < FOOTER_LOOKAHEAD; i++) {
                Fetch fetch = lane.fetch(i);
                if (fetch != null && fetch.wantsFooter()) {
                    return new Work(fetch, 0, -1);
                }
            }
        }
        Fetch best = null;
        long bestHeld = Long.MAX_VALUE;
        for (int n = 0; n < order.size(); n++) {
            Lane lane = order.get((nextLane + n) % order.size());
            long held = 0;
            Fetch candidate = null;
            Fetch fetch;
            for (int i = 0; (fetch = lane.fetch(i)) != null; i++) {
                held += fetch.heldBytes;
                if (fetch.footer == null && fetch.failure == null) {
                    break;
                }
                if (fetch.wantsChunk()) {
                    candidate = fetch;
                    break;
                }
            }
            if (candidate != null && held < bestHeld) {
                best = candidate;
                bestHeld = held;
            }
        }
        if (best == null) {
            return null;
        }
        nextLane = (nextLane + 1) % Math.max(1, order.size());
        return chunkOf(best, chunkTarget);
    }

    private static Work chunkOf(Fetch fetch, long chunkTarget) {
        return new Work(fetch, fetch.nextFetch, (int) Math.min(chunkTarget, fetch.end - fetch.nextFetch));
    }

    /** Half the read-ahead shared by the partitions being read or next in line, within 64 KiB..8 MiB. */
    private long chunkBytes(int reading) {
        return Math.max(MIN_CHUNK_BYTES, Math.min(MAX_CHUNK_BYTES, readAheadBytes / (2L * Math.max(1, reading))));
    }

    /** Remembers the highest total held; called with the lock held after anything held grows. */
    private void noteHeld() {
        peakHeldBytes = Math.max(peakHeldBytes, bufferedBytes + slots.heldBytes());
    }

    private void resolveFooter(Fetch fetch) {
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
                fetch.footer = footer;
                if (!fetch.released) {
                    long footerBytes = FOOTER_BYTES + (long) FOOTER_ENTRY_BYTES * footer.blocks().size();
                    fetch.heldBytes += footerBytes;
                    bufferedBytes += footerBytes;
                    noteHeld();
                }
                fetch.firstBlock = footer.firstCandidateBlock(fetch.minOffset, fetch.window);
                if (fetch.firstBlock >= 0) {
                    fetch.lastBlock = footer.lastCandidateBlock(fetch.minOffset, fetch.window);
                    fetch.nextFetch = footer.blocks().get(fetch.firstBlock).position();
                    fetch.readPosition = fetch.nextFetch;
                    BlockIndexEntry last = footer.blocks().get(fetch.lastBlock);
                    fetch.end = last.position() + last.length();
                }
            }
            lock.notifyAll();
        }
    }

    private void fetchChunk(Work work) {
        Fetch fetch = work.fetch();
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
                fetch.heldBytes -= work.length();
                bufferedBytes -= work.length();
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
