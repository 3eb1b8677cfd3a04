package dev.kbackup.restore;

import dev.kbackup.format.BlockIndexEntry;
import dev.kbackup.format.Codec;
import dev.kbackup.format.SegmentFooter;
import dev.kbackup.format.SegmentInfo;
import dev.kbackup.format.TimeWindow;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FetchSchedulerTest {

    private static final long READ_AHEAD = 4L * 1024 * 1024;
    private static final int BLOCK = 100_000;

    private final FetchScheduler scheduler = new FetchScheduler(READ_AHEAD, 2);

    /** A partition's segments as the scheduler sees them: a fixed list. */
    private record Lane(List<SegmentFetch> fetches) implements FetchScheduler.Queue {
        @Override
        public SegmentFetch fetch(int i) {
            return i < fetches.size() ? fetches.get(i) : null;
        }
    }

    @Test
    void whatTheTaskWaitsForComesFirstEvenWithoutRoomInTheBudget() {
        SegmentFetch waitedFor = withFooter("a", 3);
        SegmentFetch other = unresolved("b");

        FetchScheduler.Work work = scheduler.next(waitedFor, List.of(new Lane(List.of(other))), READ_AHEAD, 1);

        assertSame(waitedFor, work.fetch());
        assertEquals(0, work.start());
        assertEquals(3 * BLOCK, work.length(), "the whole wanted range: it is smaller than a chunk");
    }

    @Test
    void footersComeBeforeChunksAndOnlyWithinTheLookahead() {
        SegmentFetch readable = withFooter("a", 3);
        SegmentFetch beyondLookahead = unresolved("c");
        Lane first = new Lane(List.of(readable, withFooter("b", 1), beyondLookahead));
        SegmentFetch nextInLine = unresolved("d");

        FetchScheduler.Work work = scheduler.next(null, List.of(first, new Lane(List.of(nextInLine))), 0, 1);

        assertTrue(work.isFooter());
        assertSame(nextInLine, work.fetch(), "the third segment of a lane is past the footer lookahead of two");
    }

    @Test
    void aChunkGoesToThePartitionWithTheLeastReadAhead() {
        SegmentFetch busy = withFooter("a", 10);
        busy.heldBytes = 300_000;
        SegmentFetch starved = withFooter("b", 10);
        starved.heldBytes = 100_000;

        FetchScheduler.Work work = scheduler.next(null, List.of(new Lane(List.of(busy)), new Lane(List.of(starved))),
                400_000, 2);

        assertSame(starved, work.fetch());
        assertEquals(starved.nextFetch, work.start());
    }

    @Test
    void nothingIsFetchedAheadWithoutRoomForOneMoreChunkPerOpenSegment() {
        SegmentFetch segment = withFooter("a", 100);
        List<Lane> order = List.of(new Lane(List.of(segment)));
        long chunk = scheduler.chunkBytes(1);

        assertNull(scheduler.next(null, order, READ_AHEAD - 3 * chunk + 1, 2));
        assertSame(segment, scheduler.next(null, order, READ_AHEAD - 3 * chunk, 2).fetch());
    }

    @Test
    void theLastChunkOfASegmentEndsAtItsLastWantedBlock() {
        SegmentFetch segment = withFooter("a", 3);
        segment.nextFetch = segment.end - 1_000;

        FetchScheduler.Work work = scheduler.next(null, List.of(new Lane(List.of(segment))), 0, 1);

        assertEquals(1_000, work.length());
    }

    @Test
    void chunksAreHalfTheReadAheadSharedByTheReadersWithinBounds() {
        assertEquals(READ_AHEAD / 2, scheduler.chunkBytes(1));
        assertEquals(READ_AHEAD / 8, scheduler.chunkBytes(4));
        assertEquals(FetchScheduler.MIN_CHUNK_BYTES, scheduler.chunkBytes(10_000));
        assertEquals(FetchScheduler.MAX_CHUNK_BYTES, new FetchScheduler(1L << 40, 2).chunkBytes(1));
    }

    private static SegmentFetch unresolved(String key) {
        return new SegmentFetch(info(key), 0, TimeWindow.ALL);
    }

    /** A segment whose footer has been read: {@code blocks} blocks of {@value #BLOCK} bytes, all wanted. */
    private static SegmentFetch withFooter(String key, int blocks) {
        SegmentFetch fetch = unresolved(key);
        List<BlockIndexEntry> index = new ArrayList<>();
        for (int i = 0; i < blocks; i++) {
            index.add(new BlockIndexEntry((long) i * BLOCK, BLOCK, 10, i * 10L, i * 10L + 9, 1_000, 1_000));
        }
        fetch.footerRead(new SegmentFooter("t", 0, Codec.NONE, blocks * 10L, 0, blocks * 10L - 1, 1_000, 1_000,
                (long) blocks * BLOCK, 0, index));
        return fetch;
    }

    private static SegmentInfo info(String key) {
        return new SegmentInfo(key, "t", 0, Codec.NONE, 0, 99, 100, 1_000, 1_000, 1_000_000, 1_000_000, 0, 10, 0);
    }
}
