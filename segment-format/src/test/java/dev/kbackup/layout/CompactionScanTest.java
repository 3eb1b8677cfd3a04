package dev.kbackup.layout;

import dev.kbackup.format.Codec;
import dev.kbackup.format.SegmentInfo;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Which run compaction merges next, and how far the scan settles what it passed over. */
class CompactionScanTest {

    private static final long CUTOFF = 1_000;
    private static final long TARGET = 100;
    private final BackupLayout layout = new BackupLayout("b1");
    private final CompactionScan scan = new CompactionScan(CUTOFF, TARGET);

    @Test
    void theFirstRunIsMergedAndEverythingBeforeItIsSettled() {
        SegmentInfo big = segment(0, 9, 100, 0);
        SegmentInfo lone = segment(10, 19, 10, 0);
        SegmentInfo afterGap = segment(30, 39, 10, 0); // 20..29 missing: never merged across
        SegmentInfo next = segment(40, 49, 10, 0);

        CompactionScan.Result result = scan.scan(List.of(next, big, afterGap, lone), 0);

        assertEquals(List.of(afterGap, next), result.run());
        assertEquals(30, result.settledBelow(), "the run's start: it merges and may merge again");
    }

    @Test
    void settlingStopsAtTheFirstSegmentTooYoungAndAtTheRunItInterrupts() {
        SegmentInfo old = segment(0, 9, 10, 0);
        SegmentInfo young = segment(10, 19, 10, CUTOFF);
        SegmentInfo laterOld = segment(20, 29, 10, 0); // an out-of-order timestamp: old again after a young one
        SegmentInfo laterOld2 = segment(30, 39, 10, 0);

        CompactionScan.Result result = scan.scan(List.of(old, young, laterOld, laterOld2), 0);

        assertEquals(List.of(laterOld, laterOld2), result.run());
        assertEquals(0, result.settledBelow(), "offset 0 may merge with 10 once 10 is old enough");
        assertEquals(10, scan.scan(List.of(segment(0, 9, 100, 0), young), 0).settledBelow());
    }

    @Test
    void aTrailingRunMayStillGrowAndALeadingLargerMergedSegmentMayStillJoin() {
        SegmentInfo merged = new SegmentInfo(layout.mergedSegmentKey("t", 0, 0, 39, Codec.ZSTD), "t", 0, Codec.ZSTD,
                0, 39, 40, 0, 0, 40, 80, 0, 1, 0);
        SegmentInfo a = segment(40, 49, 10, 0);
        SegmentInfo b = segment(50, 59, 10, 0);

        CompactionScan.Result grows = scan.scan(List.of(merged, a), 0);
        assertEquals(List.of(), grows.run(), "40 bytes do not merge with 10 new ones");
        assertEquals(0, grows.settledBelow());
        CompactionScan.Result merges = scan.scan(List.of(merged, a, b), 0);
        assertEquals(List.of(a, b), merges.run());
        assertEquals(0, merges.settledBelow(), "the merged segment joins again once the rest is as large");
    }

    @Test
    void aRunThatWouldPassTheTargetSettlesWhatCannotJoinAnyMore() {
        SegmentInfo merged = new SegmentInfo(layout.mergedSegmentKey("t", 0, 0, 59, Codec.ZSTD), "t", 0, Codec.ZSTD,
                0, 59, 60, 0, 0, 60, 120, 0, 1, 0);
        SegmentInfo large = segment(60, 69, 50, 0); // 60 + 50 > target: the merged segment is done
        SegmentInfo young = segment(70, 79, 10, CUTOFF);

        CompactionScan.Result result = scan.scan(List.of(merged, large, young), 0);

        assertEquals(List.of(), result.run());
        assertEquals(60, result.settledBelow());
        assertEquals(80, scan.scan(List.of(segment(60, 79, TARGET, 0)), 0).settledBelow(), "all settled");
        assertEquals(200, scan.scan(List.of(), 200).settledBelow(), "never below what was settled before");
        assertEquals(List.of(), scan.scan(List.of(segment(0, 9, 10, 0), segment(10, 19, 10, 0)), 20).run(),
                "entries below the settled offset are not looked at");
    }

    private SegmentInfo segment(long first, long last, long bytes, long maxTimestamp) {
        return new SegmentInfo(layout.segmentKey("t", 0, first, Codec.ZSTD), "t", 0, Codec.ZSTD, first, last,
                last - first + 1, 0, maxTimestamp, bytes, bytes * 2, 0, 1, first);
    }
}
