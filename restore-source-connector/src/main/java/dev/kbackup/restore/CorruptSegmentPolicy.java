package dev.kbackup.restore;

import java.util.Locale;

/** What a restore does with a segment it cannot read (checksum mismatch, truncation, missing object). */
enum CorruptSegmentPolicy {
    /** Stop the task with an error naming the segment: nothing is silently missing. */
    FAIL,
    /** Log and count the segment, then go on with the next one: its unread records are missing from the target. */
    SKIP;

    String configName() {
        return name().toLowerCase(Locale.ROOT);
    }

    static CorruptSegmentPolicy fromConfig(String value) {
        return valueOf(value.trim().toUpperCase(Locale.ROOT));
    }
}
