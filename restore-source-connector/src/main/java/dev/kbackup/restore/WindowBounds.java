package dev.kbackup.restore;

import dev.kbackup.format.TimeWindow;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

/**
 * Parses the bounds of the restore window: each is epoch milliseconds ({@code 1763892000000}) or an ISO-8601
 * date-time with a zone offset ({@code 2026-11-23T10:00:00Z}, {@code 2026-11-23T11:00:00.250+01:00}).
 * The window is {@code [start, end)}; an absent bound is open.
 */
final class WindowBounds {

    private WindowBounds() {
    }

    /** The window the two (possibly null or blank) bounds describe. */
    static TimeWindow window(String start, String end) {
        long from = isBlank(start) ? Long.MIN_VALUE : parse(RestoreConfig.TIME_START, start);
        long to = isBlank(end) ? Long.MAX_VALUE : parse(RestoreConfig.TIME_END, end);
        if (to < from) {
            throw new ConfigException(RestoreConfig.TIME_END, end, "the end of the window is before its start ("
                    + start + "); the window is [start, end): set an end after the start");
        }
        return new TimeWindow(from, to);
    }

    /** Epoch milliseconds of one bound; throws ConfigException naming {@code key} and the accepted formats. */
    static long parse(String key, String value) {
        try {
            return TimeWindow.parseBound(value);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(key, value, e.getMessage());
        }
    }

    private static boolean isBlank(String value) {
        return value == null || value.isBlank();
    }

    /** ConfigDef validator for one bound. */
    static ConfigDef.Validator validator() {
        return new ConfigDef.Validator() {
            @Override
            public void ensureValid(String name, Object value) {
                if (value != null && !value.toString().isBlank()) {
                    parse(name, value.toString());
                }
            }

            @Override
            public String toString() {
                return "epoch milliseconds or an ISO-8601 date-time with zone, e.g. 2026-11-23T10:00:00Z";
            }
        };
    }
}
