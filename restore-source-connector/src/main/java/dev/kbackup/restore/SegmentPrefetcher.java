package dev.kbackup.restore;

import dev.kbackup.format.BlockIndexEntry;
import dev.kbackup.format.SegmentFooter;
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
 * Reads segments ahead of the task in background threads, in ranged chunks, holding at most about
 * {@code budgetBytes} of fetched-but-unread data (plus one chunk when the task is waiting and nothing is buffered
 * for it). Each restored partition is a {@link Lane}: its segments in the order the task will read them. For each
 * segment the footer is read first (a ranged read of the tail), then only the byte range from the first to the last
 * block that can hold wanted records. The task never downloads a segment whole into memory.
 *
 * <p>Storage reads go through {@link SegmentReads} (timed, transient failures retried); what still fails is handed
 * to the reader of that segment, in the task's thread, as the original exception.
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

    private final SegmentReads reads;
    private final long budgetBytes;
    private final Listener listener;
    private final Object lock = new Object();
    private final List<Lane> lanes = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private long bufferedBytes;
    private Fetch demanded;
    private int nextLane;
    private boolean closed;

    SegmentPrefetcher(ObjectStore store, long budgetBytes, int threadCount, String threadName, Listener listener) {
        this.reads = new SegmentReads(store, listener);
        this.budgetBytes = budgetBytes;
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

    /** Bytes fetched (or being fetched) and not yet read by the task. */
    long bufferedBytes() {
        synchronized (lock) {
            return bufferedBytes;
        }
    }

    @Override
    public void close() {
        reads.close();
        synchronized (lock) {
            closed = true;
            for (Lane lane : lanes) {
                lane.fetches.forEach(this::release);
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

    /** The segments of one partition, opened one after the other by the task. */
    final class Lane {
        private final String name;
        private final List<Fetch> fetches = new ArrayList<>();
        private int current = -1;

        private Lane(String name, List<SegmentInfo> segments, long minOffset, TimeWindow window) {
            this.name = name;
            segments.forEach(segment -> fetches.add(new Fetch(segment, minOffset, window)));
        }

        /**
         * Drops the segment opened last (its unread buffers are freed) and opens the next one, waiting for its
         * footer if needed; null when the lane has no more segments. Throws what reading the footer threw.
         */
        OpenSegment next() {
            Fetch fetch;
            synchronized (lock) {
                if (current >= 0 && current < fetches.size()) {
                    release(fetches.get(current));
                }
                current++;
                if (current >= fetches.size()) {
                    return null;
                }
                fetch = fetches.get(current);
                lock.notifyAll();
                awaitLocked(fetch, () -> fetch.footer != null || fetch.failure != null);
                if (fetch.failure != null) {
                    release(fetch);
                    throw fetch.failure;
                }
            }
            if (fetch.firstBlock < 0) {
                return new OpenSegment(fetch.segment, fetch.footer, -1, -1, null);
            }
            SegmentReader reader = SegmentReader.openAtBlock(new FetchStream(fetch), fetch.segment.key(),
                    fetch.footer, fetch.firstBlock);
            return new OpenSegment(fetch.segment, fetch.footer, fetch.firstBlock, fetch.lastBlock, reader);
        }

        /** The segment opened last, or being opened. */
        SegmentInfo current() {
            synchronized (lock) {
                return fetches.get(Math.max(0, Math.min(current, fetches.size() - 1))).segment;
            }
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
        }
    }

    /** The most useful next piece of work, or null; called with the lock held. */
    private Work pick() {
        Fetch wanted = demanded;
        if (wanted != null) {
            if (wanted.wantsFooter()) {
                return new Work(wanted, 0, -1);
            }
            if (wanted.wantsChunk() && wanted.nextFetch == wanted.readPosition) {
                return chunkOf(wanted);
            }
        }
        for (Lane lane : lanes) {
            int from = Math.max(0, lane.current);
            for (int i = from; i < Math.min(lane.fetches.size(), from + FOOTER_LOOKAHEAD); i++) {
                if (lane.fetches.get(i).wantsFooter()) {
                    return new Work(lane.fetches.get(i), 0, -1);
                }
            }
        }
        long chunkTarget = chunkBytes();
        if (bufferedBytes + chunkTarget > budgetBytes) {
            return null;
        }
        Fetch best = null;
        long bestHeld = Long.MAX_VALUE;
        for (int n = 0; n < lanes.size(); n++) {
            Lane lane = lanes.get((nextLane + n) % lanes.size());
            long held = 0;
            Fetch candidate = null;
            for (int i = Math.max(0, lane.current); i < lane.fetches.size(); i++) {
                Fetch fetch = lane.fetches.get(i);
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
        nextLane = (nextLane + 1) % Math.max(1, lanes.size());
        return new Work(best, best.nextFetch, (int) Math.min(chunkTarget, best.end - best.nextFetch));
    }

    private Work chunkOf(Fetch fetch) {
        return new Work(fetch, fetch.nextFetch, (int) Math.min(chunkBytes(), fetch.end - fetch.nextFetch));
    }

    /** Half the budget shared by the partitions still reading, within 64 KiB..8 MiB. */
    private long chunkBytes() {
        int active = 0;
        for (Lane lane : lanes) {
            if (lane.current < lane.fetches.size()) {
                active++;
            }
        }
        return Math.max(MIN_CHUNK_BYTES, Math.min(MAX_CHUNK_BYTES, budgetBytes / (2L * Math.max(1, active))));
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
