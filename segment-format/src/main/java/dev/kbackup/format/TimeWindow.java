package dev.kbackup.format;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

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

    /**
     * Epoch milliseconds of one window bound written as epoch milliseconds ({@code 1763892000000}) or an ISO-8601
     * date-time with a zone offset ({@code 2026-11-23T10:00:00Z}, {@code 2026-11-23T11:00:00.250+01:00}).
     *
     * @throws IllegalArgumentException saying which forms are accepted
     */
    public static long parseBound(String value) {
        String text = value.trim();
        if (text.matches("-?\\d{1,19}")) {
            try {
                return Long.parseLong(text);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("epoch milliseconds out of range");
            }
        }
        OffsetDateTime time;
        try {
            time = OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("expected epoch milliseconds (e.g. 1763892000000) or an ISO-8601 "
                    + "date-time with a zone (e.g. 2026-11-23T10:00:00Z or 2026-11-23T11:00:00+01:00)");
        }
        if (time.getNano() % 1_000_000 != 0) {
            throw new IllegalArgumentException("record timestamps have millisecond precision: give at most 3 "
                    + "fractional digits");
        }
        return time.toInstant().toEpochMilli();
    }

    @Override
    public String toString() {
        return "[" + (start == Long.MIN_VALUE ? "-inf" : Instant.ofEpochMilli(start).toString()) + ", "
                + (isOpenEnded() ? "+inf" : Instant.ofEpochMilli(end).toString()) + ")";
    }
}
