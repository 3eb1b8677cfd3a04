package dev.kbackup.layout;

import dev.kbackup.format.Codec;
import dev.kbackup.format.SegmentInfo;
import dev.kbackup.format.TimeWindow;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class PartitionWindowTest {

    private static final BackupLayout LAYOUT = new BackupLayout("b1");

    /** 100 records at offsets from {@code first}, stamped evenly from {@code minTs} to {@code minTs + 99}. */
    private static SegmentInfo segment(long first, long minTs) {
        return new SegmentInfo(LAYOUT.segmentKey("t", 0, first, Codec.ZSTD), "t", 0, Codec.ZSTD, first, first + 99,
                100, minTs, minTs + 99, 1000, 5000, 0, 1, first);
    }

    private static final PartitionIndex INDEX = new PartitionIndex("t", 0, null,
            List.of(segment(0, 1000), segment(100, 2000), segment(200, 3000)));

    @Test
    void selectsTheSegmentsWhoseTimestampsMeetTheWindow() {
        PartitionWindow window = PartitionWindow.of(INDEX, new TimeWindow(2000, 3000));
        assertEquals(List.of(INDEX.segments().get(1)), window.segments());
        assertEquals(100, window.firstOffset());
        assertEquals(199, window.lastOffset());
        assertEquals(1000, window.bytes());
        assertEquals(100, window.estimatedRecords());
    }

    @Test
    void estimatesTheShareOfASegmentThatStraddlesABound() {
        PartitionWindow window = PartitionWindow.of(INDEX, new TimeWindow(2050, Long.MAX_VALUE));
        assertEquals(2, window.segments().size());
        assertEquals(200, window.segmentRecords());
        assertEquals(50 + 100, window.estimatedRecords());
        assertEquals(List.of(), window.missing());
    }

    @Test
    void reportsOffsetsNoSegmentHoldsInsideTheWindow() {
        PartitionIndex holed = new PartitionIndex("t", 0, null, List.of(segment(0, 1000), segment(200, 3000)));
        PartitionWindow window = PartitionWindow.of(holed, TimeWindow.ALL);
        assertEquals(1, window.missing().size());
        assertEquals(100, window.missing().get(0).firstOffset());
        assertEquals(199, window.missing().get(0).lastOffset());
    }
}
