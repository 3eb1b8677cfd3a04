package dev.kbackup.layout;

import dev.kbackup.format.Codec;
import dev.kbackup.format.SegmentInfo;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MissingOffsetsTest {

    @Test
    void segmentsThatContinueOneAnotherMissNothing() {
        assertEquals(List.of(), MissingOffsets.between(List.of(segment(0, 0, 99), segment(100, 100, 199),
                segment(200, 200, 250))));
    }

    @Test
    void realGapsRecordedBySegmentsAreNotMissing() {
        // 100..149 compacted away, 200..209 transaction markers: each recorded by the segment after it
        assertEquals(List.of(), MissingOffsets.between(List.of(segment(0, 0, 99), segment(100, 150, 199),
                segment(200, 210, 300))));
    }

    @Test
    void aLostSegmentLeavesOffsetsThatNothingCovers() {
        SegmentInfo first = segment(0, 0, 99);
        SegmentInfo third = segment(200, 205, 299); // continues after the lost 100..199
        List<MissingOffsets> missing = MissingOffsets.between(List.of(third, first));

        assertEquals(List.of(new MissingOffsets(100, 199, first, third)), missing);
        String text = missing.get(0).describe("b1");
        assertTrue(text.contains("offsets 100..199 of orders-0") && text.contains("backup b1")
                && text.contains(first.key()) && text.contains(third.key()), text);
    }

    @Test
    void overlappingSegmentsCountTheFurthestReach() {
        SegmentInfo zombie = segment(0, 0, 300);
        SegmentInfo owner = segment(0, 100, 150);
        SegmentInfo next = segment(301, 301, 400);
        assertEquals(List.of(), MissingOffsets.between(List.of(zombie, owner, next)));
        SegmentInfo late = segment(402, 402, 500);
        assertEquals(List.of(new MissingOffsets(401, 401, next, late)),
                MissingOffsets.between(List.of(zombie, owner, next, late)));
    }

    private static SegmentInfo segment(long coversFrom, long first, long last) {
        return new SegmentInfo("b1/topics/orders/partition=0/segment-" + String.format("%020d", first) + ".zst",
                "orders", 0, Codec.ZSTD, first, last, last - first + 1, first, last, 100, 200, 0, 1, coversFrom);
    }
}
