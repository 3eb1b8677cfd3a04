package dev.kbackup.cli;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** How the human output writes sizes, rates, ratios and times: MiB, records/s, ISO-8601 in UTC. */
final class Units {

    private static final DateTimeFormatter ISO_SECONDS = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss'Z'")
            .withZone(ZoneOffset.UTC);

    private Units() {
    }

    static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.2f MiB", bytes / (1024.0 * 1024.0));
    }

    static String mibPerSecond(double bytesPerSecond) {
        return String.format(Locale.ROOT, "%.1f MiB/s", bytesPerSecond / (1024.0 * 1024.0));
    }

    static String recordsPerSecond(double records) {
        return String.format(Locale.ROOT, "%.0f records/s", records);
    }

    static String ratio(double ratio) {
        return ratio <= 0 ? "-" : String.format(Locale.ROOT, "%.2fx", ratio);
    }

    /** ISO-8601 UTC to the second, or "-" for a missing time. */
    static String time(Instant time) {
        return time == null ? "-" : ISO_SECONDS.format(time);
    }

    /** A record timestamp as an Instant, or null for none (JSON writes ISO-8601 or null). */
    static Instant instant(long epochMillis) {
        return epochMillis == Long.MIN_VALUE || epochMillis == Long.MAX_VALUE ? null
                : Instant.ofEpochMilli(epochMillis);
    }

    /** h:mm:ss */
    static String duration(Duration duration) {
        long seconds = Math.max(0, duration.toSeconds());
        return String.format(Locale.ROOT, "%d:%02d:%02d", seconds / 3600, seconds / 60 % 60, seconds % 60);
    }

    static String offsets(long first, long last) {
        return first < 0 ? "-" : first + ".." + last;
    }
}
