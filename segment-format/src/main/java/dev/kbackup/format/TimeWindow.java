package dev.kbackup.format;

import java.time.Instant;

/** A half-open interval of record timestamps, {@code [start, end)}, in epoch milliseconds. */
public record TimeWindow(long start, long end) {

    public static final TimeWindow ALL = new TimeWindow(Long.MIN_VALUE, Long.MAX_VALUE);

    public TimeWindow {
        if (end < start) {
            throw new IllegalArgumentException("Time window end " + end + " is before its start " + start);
        }
    }

    public boolean contains(long timestamp) {
        return timestamp >= start && timestamp < end;
    }

    /** True if some timestamp in {@code [min, max]} (both inclusive) lies inside this window. */
    public boolean overlaps(long min, long max) {
        return max >= start && min < end;
    }

    @Override
    public String toString() {
        return "[" + (start == Long.MIN_VALUE ? "-inf" : Instant.ofEpochMilli(start).toString()) + ", "
                + (end == Long.MAX_VALUE ? "+inf" : Instant.ofEpochMilli(end).toString()) + ")";
    }
}
