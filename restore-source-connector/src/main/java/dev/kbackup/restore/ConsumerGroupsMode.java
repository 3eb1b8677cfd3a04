package dev.kbackup.restore;

import java.util.Locale;

/** What the restore does with the consumer groups' translated offsets. */
public enum ConsumerGroupsMode {
    /** Commit them to groups with no active members in the target cluster. */
    APPLY,
    /** Only write and log them. */
    PLAN;

    String configName() {
        return name().toLowerCase(Locale.ROOT);
    }

    static ConsumerGroupsMode fromConfig(String value) {
        return valueOf(value.trim().toUpperCase(Locale.ROOT));
    }
}
