package dev.kbackup.restore;

import java.util.Locale;

/** Whether a restore ends with what the backup held when it started, or keeps following the backup. */
public enum RestoreMode {
    /** Restore what the catalog lists at start, write the summary, idle. */
    ONCE,
    /** Keep picking up segments the backup publishes later; never complete. */
    FOLLOW;

    String configName() {
        return name().toLowerCase(Locale.ROOT);
    }

    static RestoreMode fromConfig(String value) {
        return valueOf(value.trim().toUpperCase(Locale.ROOT));
    }
}
