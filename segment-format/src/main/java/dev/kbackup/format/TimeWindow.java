package dev.kbackup.format;

import java.time.Instant;

/**
 * A half-open interval of record timestamps, {@code [start, end)}, in epoch milliseconds. An end of
 * {@link Long#MAX_VALUE} means no end: it includes records stamped {@code Long.MAX_VALUE} too.
 */
public record TimeWindow(long start, long end) {

    public static final TimeWindow ALL = new TimeWindow(Long.MIN_VALUE, Long.MAX_VALUE);

    public TimeWindow {
        if (end < start) {
            throw new IllegalArgumentException("Time window end " + end + " is before its start " + start);
        }
    }

    public boolean contains(long timestamp) {
        return timestamp >= start && (timestamp < end || isOpenEnded());
    }

    /** True if some timestamp in {@code [min, max]} (both inclusive) lies inside this window. */
    public boolean overlaps(long min, long max) {
        return max >= start && (min < end || isOpenEnded());
    }

    /** No end: an exclusive Long.MAX_VALUE would leave out records stamped with it. */
    public boolean isOpenEnded() {
        return end == Long.MAX_VALUE;
    }

    @Override
    public String toString() {
        return "[" + (start == Long.MIN_VALUE ? "-inf" : Instant.ofEpochMilli(start).toString()) + ", "
                + (isOpenEnded() ? "+inf" : Instant.ofEpochMilli(end).toString()) + ")";
    }
}
